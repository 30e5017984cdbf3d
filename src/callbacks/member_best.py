"""MemberBest: each model's best epoch by validation accuracy in a side-by-side fit, and its weights then."""

from __future__ import annotations

import math

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback


class MemberBest(Callback):
    """After every epoch, for each active member of a StackClassifier: when its validation accuracy beats its
    best so far (strictly, as ModelCheckpoint: the first of equal epochs is kept) and its validation loss is
    finite, `epoch[k]`, `acc[k]` and a CPU copy of its state_dict (`state[k]`) are updated. This is the "best
    checkpoint by validation accuracy" of each member; the experiment tests and saves it."""

    def __init__(self, members: int) -> None:
        self.epoch: list[int | None] = [None] * members
        self.acc: list[float | None] = [None] * members
        self.state: list[dict[str, torch.Tensor] | None] = [None] * members

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        val = pl_module.epoch_metrics("val")
        for k in pl_module.active_members:
            acc, loss = val["acc"][k], val["loss"][k]
            if math.isfinite(loss) and (self.acc[k] is None or acc > self.acc[k]):
                self.epoch[k], self.acc[k] = trainer.current_epoch + 1, acc
                member = pl_module.members[k]
                self.state[k] = {name: t.detach().to("cpu", copy=True) for name, t in member.state_dict().items()}
