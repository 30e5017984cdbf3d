"""EpochTimer: training time excludes the epoch's validation, on a constructed clock and in a real fit."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import torch
from pytorch_lightning.demos.boring_classes import BoringModel

import src.callbacks.epoch_timer as epoch_timer
from src.callbacks.epoch_timer import EpochTimer

MODULE = SimpleNamespace(device=torch.device("cpu"))


def test_training_time_is_the_epoch_less_its_validation(monkeypatch):
    readings = iter([100.0, 104.0, 107.0, 110.0, 200.0])  # epoch start, validation start/end, epoch end; spare
    monkeypatch.setattr(epoch_timer.time, "perf_counter", lambda: next(readings))
    timer, trainer = EpochTimer(), SimpleNamespace(current_epoch=0, is_global_zero=True, logger=None)
    timer.on_validation_start(trainer, MODULE)  # the sanity check, before any epoch: not timed (no reading)
    timer.on_validation_end(trainer, MODULE)
    timer.on_train_epoch_start(trainer, MODULE)
    timer.on_validation_start(trainer, MODULE)
    timer.on_validation_end(trainer, MODULE)
    timer.on_train_epoch_end(trainer, MODULE)
    assert timer.seconds == {1: 10.0} and timer.validation_seconds == {1: 3.0} and timer.train_seconds == {1: 7.0}


class SlowValidation(BoringModel):
    def validation_step(self, batch, batch_idx):
        time.sleep(0.05)
        return super().validation_step(batch, batch_idx)


def test_a_slow_validation_is_not_counted_as_training(cpu_trainer):
    """Guards Lightning's order: each epoch's validation runs between on_train_epoch_start and _end."""
    timer = EpochTimer()
    trainer = cpu_trainer(
        max_epochs=2, limit_train_batches=2, limit_val_batches=4, num_sanity_val_steps=1, callbacks=[timer]
    )
    trainer.fit(SlowValidation())
    assert set(timer.seconds) == {1, 2}
    for epoch in (1, 2):
        assert timer.validation_seconds[epoch] >= 4 * 0.05  # four sleeping steps, the sanity step not among them
        assert timer.validation_seconds[epoch] < 8 * 0.05
        assert timer.train_seconds[epoch] == pytest.approx(timer.seconds[epoch] - timer.validation_seconds[epoch])
        assert timer.train_seconds[epoch] < 4 * 0.05  # two steps of a 32 x 2 linear layer: far less than that
