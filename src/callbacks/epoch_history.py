"""EpochHistory: the per-epoch values of logged metrics, kept for results.json and reports."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback


class EpochHistory(Callback):
    """`history` is one dict per finished epoch: {"epoch": e, "train/loss": ..., "val/acc": ...}.

    A LightningModule's epoch-end logging runs after every ordinary callback's `on_train_epoch_end`, so an
    epoch is recorded when the next one starts, and the last one when training ends.
    """

    def __init__(self, prefixes: tuple[str, ...] = ("train/", "val/")) -> None:
        self.prefixes = prefixes
        self.history: list[dict[str, float]] = []

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._record(trainer)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._record(trainer)

    def _record(self, trainer: pl.Trainer) -> None:
        finished = trainer.current_epoch  # epochs completed so far
        if finished == 0 or (self.history and self.history[-1]["epoch"] >= finished):
            return
        values = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith(self.prefixes)}
        self.history.append({"epoch": finished, **dict(sorted(values.items()))})

    def state_dict(self) -> dict[str, Any]:
        return {"history": self.history}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.history = [dict(row) for row in state_dict["history"]]
