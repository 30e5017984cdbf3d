"""EpochTimer: the wall-clock seconds of every training epoch, with and without its validation, for reports."""

from __future__ import annotations

import time

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback

TIME_TAG = "time/epoch_s"
TRAIN_TIME_TAG = "time/train_epoch_s"


class EpochTimer(Callback):
    """`seconds[e]` is epoch e's time from its first batch to its end, validation included (Lightning runs the
    epoch's validation before `on_train_epoch_end`); `validation_seconds[e]` is the part of it spent validating
    and `train_seconds[e]` the rest: training alone, what a rate of training images per second divides by. The
    device is synchronised at every reading (GPU work is asynchronous). Both totals are also logged
    (`time/epoch_s`, `time/train_epoch_s`) on rank zero. Times are not part of a checkpoint: a resumed run
    reports the epochs it ran itself."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = {}  # epoch (counted from 1) -> seconds
        self.validation_seconds: dict[int, float] = {}
        self.train_seconds: dict[int, float] = {}
        self._started: float | None = None
        self._validation_started: float | None = None
        self._validating = 0.0  # seconds of validation within the epoch being timed

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        synchronize(pl_module.device)
        self._started, self._validating = time.perf_counter(), 0.0

    def on_validation_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self._started is None:  # the sanity check before training, or a validation outside fit
            return
        synchronize(pl_module.device)
        self._validation_started = time.perf_counter()

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self._validation_started is None:
            return
        synchronize(pl_module.device)
        self._validating += time.perf_counter() - self._validation_started
        self._validation_started = None

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self._started is None:
            return
        synchronize(pl_module.device)
        epoch = trainer.current_epoch + 1
        self.seconds[epoch] = time.perf_counter() - self._started
        self.validation_seconds[epoch] = self._validating
        self.train_seconds[epoch] = self.seconds[epoch] - self._validating
        self._started = None
        if trainer.is_global_zero and trainer.logger is not None:
            metrics = {TIME_TAG: self.seconds[epoch], TRAIN_TIME_TAG: self.train_seconds[epoch]}
            trainer.logger.log_metrics(metrics, step=trainer.global_step)


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (GPU work is asynchronous), so that a clock reading means it is done."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
