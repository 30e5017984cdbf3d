"""What a checkpoint holds besides Lightning's own state: fixed section names, the section list, the format."""

from __future__ import annotations

import pytest
from pytorch_lightning.callbacks import Callback, ModelCheckpoint

from src.callbacks import (
    CHECKPOINT_FORMAT,
    DataCursor,
    DivergenceDetector,
    EpochCheckpoint,
    EpochHistory,
    EpochMSE,
    GracefulInterrupt,
    Histograms,
    RunState,
    checkpoint_callbacks,
    stateful_sections,
)


def test_epoch_checkpoint_keeps_its_state_under_a_fixed_section_not_model_checkpoints():
    """The docstring says so (it used to claim the two were interchangeable, which was false)."""
    ours, theirs = EpochCheckpoint(dirpath="x", save_last=True), ModelCheckpoint(dirpath="x", save_last=True)
    assert ours.state_key == "model_checkpoint" != theirs.state_key
    assert "not" in EpochCheckpoint.__doc__ and "interchangeable" not in EpochCheckpoint.__doc__


def test_every_stateful_callback_has_a_fixed_section_and_is_listed(tmp_path, embedded):
    import torch

    X, D = torch.tensor(embedded.X), torch.tensor(embedded.D)
    callbacks = [
        *checkpoint_callbacks(tmp_path, "lms", every_n_epochs=1, monitor=None),
        DivergenceDetector(X, D),
        EpochMSE(X, D),
        EpochHistory(),
        Histograms(1, 1),  # stateless: no section
    ]
    assert stateful_sections(callbacks) == sorted(
        ["run", "data_cursor", "model_checkpoint", "divergence", "epoch_mse", "epoch_history"]
    )
    assert [type(c) for c in callbacks[:4]] == [RunState, DataCursor, GracefulInterrupt, EpochCheckpoint]


def test_a_stateful_callback_without_a_fixed_section_is_a_programming_error():
    class Counter(Callback):
        def state_dict(self):
            return {"n": 1}

    with pytest.raises(TypeError, match="Counter has state but no fixed STATE_KEY"):
        stateful_sections([Counter()])


def test_the_run_section_names_format_experiment_and_sections():
    state = RunState("classify")
    state._callbacks = [state, EpochHistory()]
    section = state.state_dict()
    assert section["format"] == CHECKPOINT_FORMAT and section["experiment"] == "classify"
    assert section["sections"] == ["epoch_history", "run"]
    assert set(section["rng"]) == {"python", "numpy", "torch", "cuda"}
