"""What a checkpoint holds besides Lightning's own state: fixed section names, the section list, the format."""

from __future__ import annotations

import pytest
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback, ModelCheckpoint
from torch.utils.data import DataLoader, TensorDataset

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


class Regression(pl.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(2, 1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = ((self.layer(x) - y) ** 2).mean()
        self.log("loss", loss, on_epoch=True, on_step=False)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_epoch_checkpoint_state_is_read_back_by_epoch_checkpoint_only(tmp_path, cpu_trainer):
    """As its docstring says (it used to claim the two were interchangeable, which was false)."""
    data = DataLoader(TensorDataset(torch.randn(8, 2), torch.randn(8, 1)), batch_size=4)
    writer = EpochCheckpoint(dirpath=tmp_path, monitor="loss", mode="min", save_top_k=1, save_last=True)
    cpu_trainer(max_epochs=1, callbacks=[writer], enable_checkpointing=True).fit(Regression(), data)
    assert writer.best_model_path
    readers = {kind: kind(dirpath=tmp_path / "more", monitor="loss") for kind in (EpochCheckpoint, ModelCheckpoint)}
    for reader in readers.values():  # resuming a finished fit restores the callbacks and trains nothing more
        trainer = cpu_trainer(max_epochs=1, callbacks=[reader], enable_checkpointing=True)
        trainer.fit(Regression(), data, ckpt_path=writer.last_model_path, weights_only=True)
    assert readers[EpochCheckpoint].best_model_path == writer.best_model_path
    assert readers[ModelCheckpoint].best_model_path == ""  # Lightning found no section for it


def test_two_callbacks_may_not_share_a_section():
    with pytest.raises(TypeError, match="two callbacks keep their state in the checkpoint section 'epoch_history'"):
        stateful_sections([EpochHistory(), EpochHistory()])


def test_every_stateful_callback_has_a_fixed_section_and_is_listed(tmp_path, embedded):
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
