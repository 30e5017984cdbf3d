"""Fixtures: the embedded dataset, a tiny CPU trainer factory, per-test run directories, and a real signal at a
chosen training step."""

from __future__ import annotations

import os
import signal

import pytest
import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback

import src.experiments.run_context as run_context
from src.data import EMBEDDED_LMS_DATA, load_regression


@pytest.fixture(scope="session")
def embedded():
    return load_regression(EMBEDDED_LMS_DATA)


# Trained once for the session and read by several files (which must not write into its directory).
CLASSIFY_TWICE = ["classify", "--epochs", "2", "--augment", "--seed", "11"]


@pytest.fixture(scope="session")
def classify_twice(tmp_path_factory):
    """The log directory of `classify` run twice with CLASSIFY_TWICE (version_0, version_1)."""
    from src.cli import main

    logdir = tmp_path_factory.mktemp("classify-twice")
    for _ in range(2):
        assert main([*CLASSIFY_TWICE, "--logdir", str(logdir), "--no-progress-bar"]) == 0
    return logdir


@pytest.fixture
def runs_dir(tmp_path):
    return tmp_path / "runs"


@pytest.fixture
def cpu_trainer():
    """make(max_epochs=..., callbacks=[...], **kwargs): a quiet single-CPU Trainer with no logger or files."""

    def make(**kwargs) -> pl.Trainer:
        options = dict(
            accelerator="cpu",
            devices=1,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        options.update(kwargs)
        return pl.Trainer(**options)

    return make


class SignalAtStep(Callback):
    """Sends a real signal to this process right after optimizer step `step` (deterministic, unlike a timer)."""

    def __init__(self, step: int, signum: int) -> None:
        self.step, self.signum = step, signum

    def on_train_batch_end(self, trainer, *args) -> None:
        if trainer.global_step == self.step:
            os.kill(os.getpid(), self.signum)


@pytest.fixture
def interrupt_at(monkeypatch):
    """interrupt_at(step, signum): the next resumable fit gets a signal after that optimizer step."""

    def arm(step: int, signum: int = signal.SIGINT) -> None:
        original = run_context.checkpoint_callbacks

        def with_signal(*args, **kwargs):
            monkeypatch.setattr(run_context, "checkpoint_callbacks", original)  # only the first fit
            return [*original(*args, **kwargs), SignalAtStep(step, signum)]

        monkeypatch.setattr(run_context, "checkpoint_callbacks", with_signal)

    return arm


def pytest_collection_modifyitems(config, items):
    """Tests marked `gpu` are skipped on machines without CUDA (CI has none)."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
