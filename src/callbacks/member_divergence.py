"""MemberDivergence: stops a model of a side-by-side fit whose training loss is no longer finite."""

from __future__ import annotations

import math

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback


class MemberDivergence(Callback):
    """After every epoch, a member of a StackClassifier whose mean training loss over the epoch or whose
    validation loss at its end is not finite (a step produced inf or NaN, or the last step left inf or NaN
    weights) has diverged: it is frozen (the others go on) and `diverged_epoch[k]` keeps the epoch, counted from
    1. When every member has diverged, the fit stops.

    Checked once per epoch, not per step: a per-step check would cost a host synchronisation every step, and a
    diverged member cannot harm the others in the meantime (their parameters, losses and gradients are
    separate). Like EarlyStopping, this callback acts on training. Place it after MemberCurves and MemberBest,
    which record the epoch it diverged in.
    """

    def __init__(self) -> None:
        self.diverged_epoch: dict[int, int] = {}

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        train, val = pl_module.epoch_metrics("train")["loss"], pl_module.epoch_metrics("val")["loss"]
        for k in pl_module.active_members:
            if not (math.isfinite(train[k]) and math.isfinite(val[k])):
                pl_module.freeze_member(k)
                self.diverged_epoch[k] = trainer.current_epoch + 1
        if not pl_module.active_members:
            trainer.should_stop = True
