"""EpochHistory: the per-epoch values of logged metrics, kept for results.json and reports."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback
from pytorch_lightning.trainer.states import TrainerFn

from src.callbacks.checkpointing import FixedStateKey
from src.internals import finished_epochs


class EpochHistory(FixedStateKey, Callback):
    """`history` is one dict per finished epoch: {"epoch": e, "train/loss": ..., "val/acc": ...}.

    A LightningModule's epoch-end logging runs after every ordinary callback's `on_train_epoch_end`, so a
    finished epoch is recorded when the next one starts, when training ends, and when a checkpoint is taken
    (epoch-end checkpoints are saved after the module's logging), so that a resumed run has it too.
    """

    STATE_KEY = "epoch_history"

    def __init__(self, prefixes: tuple[str, ...] = ("train/", "val/")) -> None:
        self.prefixes = prefixes
        self.history: list[dict[str, float]] = []
        self._trainer: pl.Trainer | None = None

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        self._trainer = trainer

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._record(trainer)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._record(trainer)

    def _record(self, trainer: pl.Trainer) -> None:
        finished = finished_epochs(trainer)
        if finished == 0 or (self.history and self.history[-1]["epoch"] >= finished):
            return
        values = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith(self.prefixes)}
        if not values:
            return
        self.history.append({"epoch": finished, **dict(sorted(values.items()))})

    def state_dict(self) -> dict[str, Any]:
        if self._trainer is not None and self._trainer.training:
            self._record(self._trainer)
        return {"history": [dict(row) for row in self.history]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        # Only a resumed fit continues a history. `trainer.test(ckpt_path="best")` restores callback states
        # too, and would otherwise roll the history back to the best epoch.
        if self._trainer is not None and self._trainer.state.fn != TrainerFn.FITTING:
            return
        self.history = [dict(row) for row in state_dict["history"]]
