"""Fixtures: the embedded dataset, a tiny CPU trainer factory and per-test run directories."""

from __future__ import annotations

import pytest
import pytorch_lightning as pl

from src.data import EMBEDDED_LMS_DATA, load_regression


@pytest.fixture(scope="session")
def embedded():
    return load_regression(EMBEDDED_LMS_DATA)


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


def pytest_collection_modifyitems(config, items):
    """Tests marked `gpu` are skipped on machines without CUDA (CI has none)."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
