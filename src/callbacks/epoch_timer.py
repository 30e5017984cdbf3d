"""EpochTimer: the wall-clock seconds of every training epoch (its validation included), for reports."""

from __future__ import annotations

import time

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback

TIME_TAG = "time/epoch_s"


class EpochTimer(Callback):
    """`seconds[e]` is epoch e's time from its first batch to its end, validation included, with the device
    synchronised at both ends (GPU work is asynchronous); also logged as `time/epoch_s` on rank zero. Times are
    not part of a checkpoint: a resumed run reports the epochs it ran itself."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = {}  # epoch (counted from 1) -> seconds
        self._started: float | None = None

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        synchronize(pl_module.device)
        self._started = time.perf_counter()

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self._started is None:
            return
        synchronize(pl_module.device)
        epoch = trainer.current_epoch + 1
        self.seconds[epoch] = time.perf_counter() - self._started
        self._started = None
        if trainer.is_global_zero and trainer.logger is not None:
            trainer.logger.log_metrics({TIME_TAG: self.seconds[epoch]}, step=trainer.global_step)


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (GPU work is asynchronous), so that a clock reading means it is done."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
