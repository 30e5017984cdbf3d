"""GracefulInterrupt: Ctrl-C (SIGINT) or SIGTERM stops training at the next step boundary with a checkpoint."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback

from src.internals import save_checkpoint_between_steps


class TrainingInterrupted(Exception):
    """Raised between two training steps after SIGINT/SIGTERM; `exit_status` is 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"training interrupted by {self.signal_name}")

    @property
    def exit_status(self) -> int:
        return 128 + self.signum  # 130 for SIGINT, 143 for SIGTERM: what a shell reports for these signals


def starts_optimizer_step(trainer: pl.Trainer, batch_idx: int) -> bool:
    """Whether batch `batch_idx` of its epoch is the first of an optimizer step: with gradient accumulation
    Lightning steps after every `accumulate_grad_batches`-th batch of an epoch and after its last one, so a stop
    at any other batch would lose the gradient already summed (a checkpoint holds no gradients)."""
    return batch_idx % trainer.accumulate_grad_batches == 0


class GracefulInterrupt(Callback):
    """While training, SIGINT and SIGTERM only set a flag; the next `on_train_batch_start` raises
    TrainingInterrupted, i.e. after a whole optimizer step and before the next one (with gradient accumulation,
    at the next batch that starts a step), where the weights, the optimizer and the loop counters agree.
    Lightning then calls `on_exception`, where the checkpoint is written to `checkpoint_path` with the state of
    that exact point (none for a run that cannot be resumed, `checkpoint_path=None`: it stops just as cleanly).
    A second signal stops at once.

    Single-process runs only: the processes of a DDP run would stop at different steps and wait on each
    other, so there Lightning's own handling is left in place.

    The handlers are installed while a fit trains; `holding()` keeps them installed for a whole block of
    several fits and what runs between them (a validation, a test, writing files), which then checks
    `received` to stop at its next step.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, checkpoint_path: Path | None) -> None:
        self.checkpoint_path = None if checkpoint_path is None else Path(checkpoint_path)
        self.received: int | None = None
        self.saved: Path | None = None
        self._previous: dict[int, Any] = {}
        self._held = False

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.world_size == 1:
            self._install()

    def _install(self) -> None:
        if self._previous or threading.current_thread() is not threading.main_thread():
            return  # installed already (holding), or signals cannot be handled here
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)

    @contextmanager
    def holding(self) -> Iterator[GracefulInterrupt]:
        """The handlers installed for the whole block, whatever runs in it (single-process runs only)."""
        self._install()
        self._held = True
        try:
            yield self
        finally:
            self._held = False
            self._restore()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:  # asked twice: stop now, the default way
            self._restore()
            signal.raise_signal(signum)
            return
        self.received = signum
        name = signal.Signals(signum).name
        saving = " and saving a checkpoint" if self.checkpoint_path is not None else ""
        print(f"\n{name} received: stopping after this step{saving} (again to stop at once)")

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any, batch_idx: int):
        if self.received is not None and starts_optimizer_step(trainer, batch_idx):
            raise TrainingInterrupted(self.received)

    def on_exception(self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException) -> None:
        if isinstance(exception, TrainingInterrupted) and self.checkpoint_path is not None:
            self.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
            save_checkpoint_between_steps(trainer, self.checkpoint_path)
            self.saved = self.checkpoint_path
        self._release()

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._release()

    def teardown(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        self._release()

    def _release(self) -> None:
        if not self._held:
            self._restore()

    def _restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
