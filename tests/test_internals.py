"""Guard tests: one per coupling in src/internals.py. Each fails loudly when a Lightning or torch release changes
what the coupling relies on (instead of the project running on, silently slower or silently wrong)."""

from __future__ import annotations

from typing import ClassVar

import pytest
import pytorch_lightning as pl
import torch
from lightning_fabric.plugins.environments import LightningEnvironment, SLURMEnvironment, TorchElasticEnvironment
from pytorch_lightning.callbacks import Callback
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.flop_counter import FlopCounterMode
from torch.utils.tensorboard import SummaryWriter

from src import internals
from src.callbacks import FixedStateKey


class Tiny(internals.LeanHookBookkeeping, pl.LightningModule):
    hook_names: ClassVar[list] = []  # what Lightning assigned to the bookkeeping attribute, in order

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(2, 1)

    def __setattr__(self, name, value):
        if name == internals.HOOK_NAME_ATTRIBUTE:
            Tiny.hook_names.append(value)
        super().__setattr__(name, value)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return ((self.layer(x) - y) ** 2).mean()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


class Counters(FixedStateKey, Callback):
    """Reads the loop counters at known points, and has state under a fixed section name."""

    STATE_KEY = "counters"

    def __init__(self) -> None:
        self.seen: list[tuple] = []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.seen.append(("start", trainer.current_epoch, batch_idx, internals.completed_batches(trainer)))

    def on_train_epoch_end(self, trainer, pl_module):
        self.seen.append(("epoch_end", trainer.current_epoch, internals.finished_epochs(trainer)))

    def state_dict(self):
        return {"seen": len(self.seen)}


class Transfers(pl.LightningDataModule):
    def __init__(self) -> None:
        super().__init__()
        self.indices: list[int] = []

    def train_dataloader(self):
        return DataLoader(TensorDataset(torch.randn(8, 2), torch.randn(8, 1)), batch_size=2)

    def on_after_batch_transfer(self, batch, dataloader_idx):
        if self.trainer.training:
            self.indices.append(internals.batch_being_transferred(self.trainer))
        return batch


def fit(tmp_path, epochs=2):
    Tiny.hook_names = []
    counters, data = Counters(), Transfers()
    trainer = pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        default_root_dir=tmp_path,
        callbacks=[counters],
    )
    trainer.fit(Tiny(), datamodule=data)
    return trainer, counters, data


def test_lightning_sets_the_hook_name_attribute_the_fast_path_handles(tmp_path):
    fit(tmp_path, epochs=1)
    assert "training_step" in Tiny.hook_names and "configure_optimizers" in Tiny.hook_names
    assert all(name is None or isinstance(name, str) for name in Tiny.hook_names)  # what the fast path accepts


def test_the_logging_step_counts_optimizer_steps_and_a_save_between_steps_leaves_it_as_it_was(tmp_path):
    """The count save_checkpoint_between_steps adjusts. That a resumed run then logs at the steps of an
    uninterrupted one is checked end to end in tests/experiments/test_lifecycle.py."""
    trainer, _, _ = fit(tmp_path)
    loop = trainer.fit_loop.epoch_loop
    assert loop._batches_that_stepped == trainer.global_step == 8
    internals.save_checkpoint_between_steps(trainer, str(tmp_path / "between.ckpt"))
    saved = torch.load(tmp_path / "between.ckpt", weights_only=True)["loops"]["fit_loop"]["epoch_loop.state_dict"]
    assert saved["_batches_that_stepped"] == 7 and loop._batches_that_stepped == 8


class StepCounts(Callback):
    """The logging step count at each batch's start; saves between steps at batch `save_at` of the first epoch."""

    def __init__(self, path=None, save_at: int = -1) -> None:
        self.path, self.save_at, self.counts = path, save_at, []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.counts.append(trainer.fit_loop.epoch_loop._batches_that_stepped)
        if trainer.current_epoch == 0 and batch_idx == self.save_at:
            internals.save_checkpoint_between_steps(trainer, str(self.path))


@pytest.mark.parametrize(("accumulate", "batches", "save_at"), [(1, 8, 1), (2, 8, 2), (3, 8, 3), (3, 7, 6)])
def test_a_restart_from_a_save_between_steps_counts_on_from_the_same_step(tmp_path, accumulate, batches, save_at):
    """Lightning's restart adds one to the count only where the saved counters show no accumulation in progress;
    the save takes one off exactly there, so the resumed fit counts on as the uninterrupted one did. (Two epochs;
    the last case saves before an epoch's last batch, which is a step of its own.)"""
    data = DataLoader(TensorDataset(torch.randn(batches, 2), torch.randn(batches, 1)), batch_size=1)
    options = dict(accelerator="cpu", logger=False, enable_progress_bar=False, enable_model_summary=False)
    options |= dict(max_epochs=2, accumulate_grad_batches=accumulate, default_root_dir=tmp_path)
    whole = StepCounts(tmp_path / "between.ckpt", save_at)
    pl.Trainer(**options, callbacks=[whole]).fit(Tiny(), data)
    resumed = StepCounts()
    pl.Trainer(**options, callbacks=[resumed]).fit(Tiny(), data, ckpt_path=str(tmp_path / "between.ckpt"))
    assert resumed.counts == whole.counts[save_at:]


def test_loop_counters_count_what_the_project_reads_them_as(tmp_path):
    trainer, counters, data = fit(tmp_path)
    starts = [entry for entry in counters.seen if entry[0] == "start"]
    assert [(epoch, index, completed) for _, epoch, index, completed in starts] == [
        (epoch, index, index) for epoch in range(2) for index in range(4)
    ]  # before a batch runs, the completed count is its index in the epoch
    assert [entry for entry in counters.seen if entry[0] == "epoch_end"] == [("epoch_end", 0, 1), ("epoch_end", 1, 2)]
    assert data.indices == [0, 1, 2, 3] * 2  # transfer happens before the batch is marked ready
    assert internals.finished_epochs(trainer) == 2


def test_checkpoints_keep_callback_state_under_its_state_key(tmp_path):
    trainer, _, _ = fit(tmp_path, epochs=1)
    path = tmp_path / "x.ckpt"
    trainer.save_checkpoint(path)
    checkpoint = torch.load(path, weights_only=True)
    for key in (internals.CALLBACK_STATES, internals.MODEL_STATE, internals.OPTIMIZER_STATES, internals.GLOBAL_STEP):
        assert key in checkpoint, key
    assert internals.callback_sections(checkpoint) == {"counters": {"seen": 5}}
    assert checkpoint[internals.GLOBAL_STEP] == 4


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (
            {
                "SLURM_NTASKS": "2",
                "SLURM_NTASKS_PER_NODE": "2",
                "SLURM_PROCID": "1",
                "SLURM_LOCALID": "1",
                "SLURM_NODEID": "0",
            },
            SLURMEnvironment,
        ),
        (
            {
                "RANK": "1",
                "LOCAL_RANK": "1",
                "GROUP_RANK": "0",
                "WORLD_SIZE": "2",
                "TORCHELASTIC_RUN_ID": "x",
                "MASTER_ADDR": "127.0.0.1",
                "MASTER_PORT": "29500",
                "LOCAL_WORLD_SIZE": "2",
            },
            TorchElasticEnvironment,
        ),
        ({}, LightningEnvironment),
    ],
    ids=["slurm", "torchrun", "lightning"],
)
def test_our_cluster_environment_is_the_one_lightning_picks(monkeypatch, environment, expected):
    for name in ("SLURM_NTASKS", "SLURM_JOB_NAME", "TORCHELASTIC_RUN_ID", "RANK", "LOCAL_RANK", "NODE_RANK"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SLURM_JOB_NAME", "train")  # not an interactive job
    if not environment:
        monkeypatch.delenv("SLURM_JOB_NAME")
    trainer = pl.Trainer(accelerator="cpu", devices=2, strategy="ddp", logger=False, enable_progress_bar=False)
    assert type(trainer.strategy.cluster_environment) is expected
    assert type(internals.cluster_environment()) is expected


def test_flop_counter_names_modules_by_class_and_path():
    model = nn.Sequential(nn.Linear(4, 3), nn.Sequential(nn.Linear(3, 2)))
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(5, 4))
    counts = internals.flop_counts_by_module(counter)
    assert counts == {"": 2 * 5 * (4 * 3 + 3 * 2), "0": 2 * 5 * 12, "1": 2 * 5 * 6, "1.0": 2 * 5 * 6}


def test_add_text_stores_the_tag_with_the_text_plugin_suffix(tmp_path):
    writer = SummaryWriter(str(tmp_path))
    writer.add_text("model/layer_summary", "| a |", 0)
    writer.close()
    accumulator = EventAccumulator(str(tmp_path))
    accumulator.Reload()
    assert accumulator.Tags()["tensors"] == ["model/layer_summary" + internals.TEXT_TAG_SUFFIX]
