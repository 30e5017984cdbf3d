"""Fit: what one Lightning training run is made of (Trainer, LightningModule, DataModule); `run()` trains it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl


@dataclass(frozen=True)
class Fit:
    trainer: pl.Trainer
    module: pl.LightningModule
    datamodule: pl.LightningDataModule

    def run(self, checkpoint: Path | None = None) -> None:
        """Train, from `checkpoint` when resuming (read with weights_only: no code in it can run)."""
        self.trainer.fit(self.module, datamodule=self.datamodule, ckpt_path=checkpoint, weights_only=True)

    def test_best(self) -> dict:
        """Test the checkpoint with the best monitored metric (best.ckpt, of the first checkpoint callback) and
        return the logged test metrics."""
        best = self.trainer.checkpoint_callback.best_model_path  # a path: "best" would warn about two callbacks
        return self.trainer.test(
            self.module, datamodule=self.datamodule, ckpt_path=best, weights_only=True, verbose=False
        )[0]
