"""Progress while training: Lightning's tqdm bar on a terminal, one plain line per epoch anywhere else (a log
file, a pipe, CI), both counting epochs from 1 like every report and saying which run it is."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import TQDMProgressBar
from pytorch_lightning.callbacks.progress import ProgressBar as LightningProgressBar

from src.internals import finished_epochs, restart_epoch_bar

LOGGED = ("train/", "val/")  # the metrics an epoch line shows, of those the LightningModule logs


def progress_callback(refresh_rate: int, label: str | None = None, stream: IO | None = None) -> LightningProgressBar:
    """The bar on a terminal; EpochLines when the output (`stream`, default stdout, where tqdm writes) is not
    one: there every frame of a bar would stay, thousands of them."""
    output = sys.stdout if stream is None else stream
    if getattr(output, "isatty", lambda: False)():
        return ProgressBar(refresh_rate=refresh_rate, label=label)
    return EpochLines(label=label, stream=stream)


def epoch_title(label: str | None, epoch: int, epochs: int | None) -> str:
    """'Epoch 2/10', or 'zero init · Epoch 2/10' for a named run (epochs counted from 1)."""
    title = f"Epoch {epoch}/{epochs}" if epochs and epochs > 0 else f"Epoch {epoch}"
    return f"{label} · {title}" if label else title


class ProgressBar(TQDMProgressBar):
    """`label` names the run when one command trains several (e.g. 'zero init'); `v_num` (the tail of
    'version_N', e.g. 'on_0') is left out.

    The epoch description is set here, not by Lightning's own hook, which numbers epochs from 0 and would show
    that for a moment (and for good in a log file) before being overwritten.
    """

    def __init__(self, refresh_rate: int = 1, label: str | None = None) -> None:
        super().__init__(refresh_rate=refresh_rate)
        self.label = label

    def on_train_epoch_start(self, trainer: pl.Trainer, *args: object) -> None:
        description = epoch_title(self.label, trainer.current_epoch + 1, trainer.max_epochs)
        restart_epoch_bar(self.train_progress_bar, self.total_train_batches, description)

    def get_metrics(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> dict:
        metrics = super().get_metrics(trainer, pl_module)
        metrics.pop("v_num", None)
        return metrics


class EpochLines(LightningProgressBar):
    """One line per finished epoch: its title, the train/ and val/ metrics the LightningModule logged and those
    of callbacks that keep their own (a `line_metrics(trainer, pl_module)` method, e.g. EpochMSE), and the time
    it took:

        zero init · Epoch 2/10: train/acc 0.8712 · train/loss 0.4123 · val/acc 0.85 · val/loss 0.5 (3.2 s)

    A LightningModule's epoch-end logging runs after every ordinary callback's `on_train_epoch_end`, so a
    finished epoch is written when the next one starts or training ends (as EpochHistory records it).
    """

    def __init__(self, label: str | None = None, stream: IO | None = None) -> None:
        super().__init__()
        self.label = label
        self.stream = stream  # None: stdout as it is when a line is written
        self._enabled = True
        self._written = 0  # epochs written so far (a resumed run starts after those its first process wrote)
        self._started = time.perf_counter()

    def disable(self) -> None:  # Lightning calls it off global rank zero: one line per epoch, not one per rank
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._written = finished_epochs(trainer)

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._write(trainer, pl_module)
        self._started = time.perf_counter()

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._write(trainer, pl_module)

    def _write(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        finished = finished_epochs(trainer)
        if not self._enabled or finished <= self._written:
            return
        self._written = finished
        metrics = {name: float(value) for name, value in trainer.callback_metrics.items() if name.startswith(LOGGED)}
        for callback in trainer.callbacks:
            if hasattr(callback, "line_metrics"):
                metrics.update(callback.line_metrics(trainer, pl_module))
        title = epoch_title(self.label, finished, trainer.max_epochs)
        line = epoch_line(title, metrics, time.perf_counter() - self._started)
        print(line, file=sys.stdout if self.stream is None else self.stream, flush=True)


def epoch_line(title: str, metrics: dict[str, Any], seconds: float) -> str:
    """'Epoch 2/10: train/loss 0.4123 · val/acc 0.85 (3.2 s)', the metrics in name order, 4 significant digits."""
    shown = " · ".join(f"{name} {value:.4g}" for name, value in sorted(metrics.items()))
    return f"{title}: {shown} ({seconds:.1f} s)" if shown else f"{title} ({seconds:.1f} s)"
