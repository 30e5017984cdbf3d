"""RunContext: what an experiment's training step gets from the lifecycle: its directory, the machine, the
checkpoint to resume from, and a way to train a fit that records an interruption instead of raising it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback

from src.callbacks import GracefulInterrupt, TrainingInterrupted, checkpoint_callbacks
from src.callbacks.checkpointing import CHECKPOINTS
from src.config import Machine
from src.experiments.checkpoint_file import verify_sections
from src.experiments.fit import Fit
from src.experiments.resume import Resume, latest_checkpoint
from src.experiments.run_dir import RunDirectory


@dataclass(frozen=True)
class Interruption:
    signal_name: str  # SIGINT or SIGTERM
    exit_status: int  # 130 or 143
    epoch: int  # the epoch it stopped in, counted from 1
    global_step: int
    checkpoint: Path | None = None  # where the checkpoint of that step went (None: noticed outside a fit)


@dataclass
class RunContext:
    experiment: str
    directory: RunDirectory
    machine: Machine
    resume: Resume | None = None
    interruption: Interruption | None = None
    options: dict[str, Any] | None = None  # the run's config.json, kept in its checkpoints

    @property
    def run_dir(self) -> Path:
        return self.directory.path

    def checkpoint_callbacks(
        self, every_n_epochs: int, monitor: str | None, *, mode: str = "max", part: str | None = None
    ) -> list[Callback]:
        """The callbacks that make a fit resumable (see src/callbacks/checkpointing.py); a run of several fits
        names each one's `part` (its checkpoints go to checkpoints/<part>/)."""
        return checkpoint_callbacks(
            self.run_dir, self.experiment, every_n_epochs, monitor, mode=mode, part=part, options=self.options
        )

    def stopped(self, signum: int, trainer: pl.Trainer, checkpoint: Path | None = None) -> None:
        """Record an interruption noticed outside a fit's training (between two fits, say); `checkpoint`: the one
        to resume from, when it is not checkpoints/interrupted.ckpt."""
        stop = TrainingInterrupted(signum)
        epoch = min(trainer.current_epoch + 1, trainer.max_epochs or trainer.current_epoch + 1)
        self.interruption = Interruption(stop.signal_name, stop.exit_status, epoch, trainer.global_step, checkpoint)

    def fit(self, fit: Fit, part: str | None = None) -> bool:
        """Train `fit`; False when SIGINT or SIGTERM stopped it (then `interruption` says where, and a checkpoint
        of that step was written). In a resumed run, the first fit continues from the run's checkpoint, or a
        fit named `part` from the latest of its own checkpoints/<part>/ (a part that had finished restores its
        final state and trains no further; one that had not started starts afresh)."""
        checkpoint = None
        if self.resume is not None and part is not None:
            folder = self.run_dir / CHECKPOINTS / part
            named = self.resume.checkpoint  # the file --resume named (or found) wins in its own part's folder
            info = named if named.path.parent == folder else latest_checkpoint(folder, self.experiment)
            if info is not None:
                verify_sections(info, fit.trainer.callbacks)
                checkpoint = info.path
        elif self.resume is not None:
            verify_sections(self.resume.checkpoint, fit.trainer.callbacks)
            checkpoint, self.resume = self.resume.checkpoint.path, None
        self.directory.training_started()
        try:
            fit.run(checkpoint)
        except TrainingInterrupted as stop:
            trainer = fit.trainer
            saved = next((c.saved for c in trainer.callbacks if isinstance(c, GracefulInterrupt)), None)
            self.interruption = Interruption(
                stop.signal_name, stop.exit_status, trainer.current_epoch + 1, trainer.global_step, saved
            )
            return False
        return True
