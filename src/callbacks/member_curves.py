"""MemberCurves: the per-epoch losses, accuracies and rates of models trained side by side, one sub-run each."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback
from pytorch_lightning.trainer.states import TrainerFn
from torch.utils.tensorboard import SummaryWriter

CURVE_TAGS = ("train/loss", "train/acc", "val/loss", "val/acc", "train/lr")


class MemberCurves(Callback):
    """`history[name]`: one row per epoch for each member of a StackClassifier, named by `names`:
    {"epoch": e, "train/loss", "train/acc", "val/loss", "val/acc", "train/lr"}, and row 0 from a validation
    run before training ({"epoch": 0, "val/loss", "val/acc"}: the untrained models). Non-finite values are
    kept as None (a diverged member's last row).

    The same numbers go to TensorBoard with the epoch as step, member `name` through `writers[name]` (its own
    sub-run): the members' curves overlay under one tag. A frozen (diverged) member gets no rows after the epoch
    it diverged in. `writers` is empty off global rank zero; every rank computes the synchronised metrics. The
    writers belong to the caller, which keeps one per sub-run for the validation before training, the fit and
    what follows (TensorBoard reads a sub-run's event files in name order, so one file keeps its steps in order).
    """

    def __init__(self, names: Sequence[str], writers: Mapping[str, SummaryWriter]) -> None:
        self.names = list(names)
        self.writers = writers
        self.history: dict[str, list[dict]] = {name: [] for name in self.names}

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.state.fn != TrainerFn.VALIDATING:  # during fit, the epoch's row is written at its end
            return
        val = pl_module.epoch_metrics("val")
        for k in pl_module.active_members:
            self._add(k, {"epoch": 0, "val/loss": val["loss"][k], "val/acc": val["acc"][k]})

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        train, val, lrs = pl_module.epoch_metrics("train"), pl_module.epoch_metrics("val"), pl_module.epoch_lrs
        for k in pl_module.active_members:
            row = {
                "epoch": trainer.current_epoch + 1,
                "train/loss": train["loss"][k],
                "train/acc": train["acc"][k],
                "val/loss": val["loss"][k],
                "val/acc": val["acc"][k],
                "train/lr": lrs[k],
            }
            self._add(k, row)

    def _add(self, k: int, row: dict) -> None:
        name = self.names[k]
        writer = self.writers.get(name)
        for tag, value in list(row.items())[1:]:
            if not math.isfinite(value):
                row[tag] = None
            elif writer is not None:
                writer.add_scalar(tag, value, row["epoch"])
        self.history[name].append(row)
