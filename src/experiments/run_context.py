"""RunContext: what an experiment's training step gets from the lifecycle: its directory, the machine, the
checkpoint to resume from, and a way to train a fit that records an interruption instead of raising it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback

from src.callbacks import TrainingInterrupted, checkpoint_callbacks
from src.config import Machine
from src.experiments.checkpoint_file import verify_sections
from src.experiments.fit import Fit
from src.experiments.resume import Resume
from src.experiments.run_dir import RunDirectory


@dataclass(frozen=True)
class Interruption:
    signal_name: str  # SIGINT or SIGTERM
    exit_status: int  # 130 or 143
    epoch: int  # the epoch it stopped in, counted from 1
    global_step: int


@dataclass
class RunContext:
    experiment: str
    directory: RunDirectory
    machine: Machine
    resume: Resume | None = None
    interruption: Interruption | None = None

    @property
    def run_dir(self) -> Path:
        return self.directory.path

    def checkpoint_callbacks(self, every_n_epochs: int, monitor: str | None) -> list[Callback]:
        """The callbacks that make a fit resumable (see src/callbacks/checkpointing.py)."""
        return checkpoint_callbacks(self.run_dir, self.experiment, every_n_epochs, monitor)

    def stopped(self, signum: int, trainer: pl.Trainer) -> None:
        """Record an interruption noticed outside a fit's training (between two fits, say)."""
        stop = TrainingInterrupted(signum)
        self.interruption = Interruption(
            stop.signal_name, stop.exit_status, trainer.current_epoch + 1, trainer.global_step
        )

    def fit(self, fit: Fit) -> bool:
        """Train `fit` (the first fit of a resumed run continues from its checkpoint); False when SIGINT or
        SIGTERM stopped it (then `interruption` says where, and a checkpoint of that step was written)."""
        checkpoint = None
        if self.resume is not None:
            verify_sections(self.resume.checkpoint, fit.trainer.callbacks)
            checkpoint, self.resume = self.resume.checkpoint.path, None
        self.directory.training_started()
        try:
            fit.run(checkpoint)
        except TrainingInterrupted as stop:
            trainer = fit.trainer
            self.interruption = Interruption(
                stop.signal_name, stop.exit_status, trainer.current_epoch + 1, trainer.global_step
            )
            return False
        return True
