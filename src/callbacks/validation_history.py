"""ValidationHistory: the validation loss and perplexity at every validation of a step-counted fit, with the
training loss since the one before, kept for results.json and reports (and in every checkpoint)."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback
from pytorch_lightning.trainer.states import TrainerFn

from src.callbacks.checkpointing import FixedStateKey

KEYS = ("train/loss_since_last_val", "val/loss", "val/perplexity")


class ValidationHistory(FixedStateKey, Callback):
    """`history`: one dict per validation during fitting: {"step": optimizer steps so far, "val/loss": ...}."""

    STATE_KEY = "validation_history"

    def __init__(self) -> None:
        self.history: list[dict[str, float]] = []
        self._trainer: pl.Trainer | None = None

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        self._trainer = trainer

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.state.fn != TrainerFn.FITTING or trainer.sanity_checking:
            return
        metrics = trainer.callback_metrics
        row = {"step": trainer.global_step, **{k: float(metrics[k]) for k in KEYS if k in metrics}}
        if self.history and self.history[-1]["step"] == row["step"]:
            self.history[-1] = row
        else:
            self.history.append(row)

    def state_dict(self) -> dict[str, Any]:
        return {"history": [dict(row) for row in self.history]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if self._trainer is not None and self._trainer.state.fn != TrainerFn.FITTING:
            return
        self.history = [dict(row) for row in state_dict["history"]]
