"""MemberCurves: the per-epoch losses, accuracies and rates of models trained side by side, one sub-run each."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback
from pytorch_lightning.trainer.states import TrainerFn

from src.callbacks.subrun_writers import close_writers, open_subrun_writers

CURVE_TAGS = ("train/loss", "train/acc", "val/loss", "val/acc", "train/lr")


class MemberCurves(Callback):
    """`history[name]`: one row per epoch for each member of a StackClassifier, named by `names`:
    {"epoch": e, "train/loss", "train/acc", "val/loss", "val/acc", "train/lr"}, and row 0 from a validation
    run before training ({"epoch": 0, "val/loss", "val/acc"}: the untrained models). Non-finite values are
    kept as None (a diverged member's last row).

    The same numbers go to TensorBoard with the epoch as step, member `name` in the sub-run `directory/name`:
    the members' curves overlay under one tag. A frozen (diverged) member gets no rows after the epoch it
    diverged in. Writes on global rank zero only; every rank computes the synchronised metrics.
    """

    def __init__(self, names: Sequence[str], directory: Path) -> None:
        self.names = list(names)
        self.directory = Path(directory)
        self.history: dict[str, list[dict]] = {name: [] for name in self.names}
        self._writers: dict = {}

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        if stage in ("fit", "validate") and not self._writers:
            self._writers = open_subrun_writers(trainer, self.names, "MemberCurves", base=self.directory)

    def teardown(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        close_writers(self._writers)

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
        writer = self._writers.get(name)
        for tag, value in list(row.items())[1:]:
            if not math.isfinite(value):
                row[tag] = None
            elif writer is not None:
                writer.add_scalar(tag, value, row["epoch"])
        self.history[name].append(row)
