"""GracefulInterrupt with real signals: the first one only asks, the second one stops at once."""

from __future__ import annotations

import os
import signal
from types import SimpleNamespace

import pytest

from src.callbacks import GracefulInterrupt, TrainingInterrupted


def test_first_signal_asks_to_stop_at_the_next_step_second_stops_now(tmp_path, capsys):
    callback = GracefulInterrupt(tmp_path / "interrupted.ckpt")
    before = signal.getsignal(signal.SIGINT)
    callback.on_train_start(SimpleNamespace(world_size=1), None)
    try:
        os.kill(os.getpid(), signal.SIGINT)  # handled: nothing is raised here, mid-step
        assert callback.received == signal.SIGINT
        assert "SIGINT received: stopping after this step" in capsys.readouterr().out
        trainer = SimpleNamespace(accumulate_grad_batches=1)
        with pytest.raises(TrainingInterrupted) as stop:
            callback.on_train_batch_start(trainer, None, None, 5)  # ...but at the next step boundary
        assert stop.value.exit_status == 130 and stop.value.signal_name == "SIGINT"
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)  # asked twice: the default behaviour, at once
    finally:
        callback.teardown(None, None, "fit")
    assert signal.getsignal(signal.SIGINT) is before  # handlers restored


def test_with_accumulation_it_stops_only_at_a_batch_that_starts_an_optimizer_step(tmp_path):
    """Regression: a stop between two accumulated batches lost the gradient summed so far (not in a checkpoint)."""
    callback = GracefulInterrupt(tmp_path / "interrupted.ckpt")
    callback.received = signal.SIGINT
    trainer = SimpleNamespace(accumulate_grad_batches=3)
    for batch_idx in (1, 2, 4, 5):  # the 2nd and 3rd batches of steps 1 and 2 (counted within the epoch)
        callback.on_train_batch_start(trainer, None, None, batch_idx)
    for batch_idx in (0, 3, 6):
        with pytest.raises(TrainingInterrupted):
            callback.on_train_batch_start(trainer, None, None, batch_idx)


def test_no_signal_no_interruption_and_handlers_restored(tmp_path):
    callback = GracefulInterrupt(tmp_path / "interrupted.ckpt")
    before = signal.getsignal(signal.SIGTERM)
    callback.on_train_start(SimpleNamespace(world_size=1), None)
    assert signal.getsignal(signal.SIGTERM) is not before
    callback.on_train_batch_start(None, None, None, 0)  # nothing pending: trains on
    callback.on_train_end(None, None)
    assert signal.getsignal(signal.SIGTERM) is before


def test_ddp_runs_keep_lightnings_own_handling(tmp_path):
    callback = GracefulInterrupt(tmp_path / "interrupted.ckpt")
    before = signal.getsignal(signal.SIGTERM)
    callback.on_train_start(SimpleNamespace(world_size=2), None)
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_exit_status():
    assert TrainingInterrupted(signal.SIGTERM).exit_status == 143
