"""Every place this project relies on Lightning's or torch's internals, in one module.

Each entry says what it relies on; tests/test_internals.py holds a guard test for each that fails loudly (not
silently slower or silently wrong) when a release changes it. Tested with pytorch-lightning 2.6 (the range
pinned in pyproject.toml) and torch 2.13.
"""

from __future__ import annotations

import math
from typing import Any

import pytorch_lightning as pl
from lightning_fabric.plugins.environments import (
    ClusterEnvironment,
    LightningEnvironment,
    LSFEnvironment,
    MPIEnvironment,
    SLURMEnvironment,
    TorchElasticEnvironment,
)
from torch.utils.flop_counter import FlopCounterMode

# ---- 1. Hook bookkeeping -------------------------------------------------------------------------------------
# Around every hook call (about 20 per training step) Lightning sets `pl_module._current_fx_name`, and
# nn.Module.__setattr__ checks each assignment against parameters, buffers and submodules. For the LMS step (a
# 3-weight update, ~70 us in a plain loop) that bookkeeping alone cost ~40 us per step on a 2-core CPU.
HOOK_NAME_ATTRIBUTE = "_current_fx_name"


class LeanHookBookkeeping:
    """Mixin, first in the bases (`class M(LeanHookBookkeeping, pl.LightningModule)`): Lightning's hook-name
    attribute is a plain string, so it bypasses nn.Module's checks; every other name goes through them."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == HOOK_NAME_ATTRIBUTE and (value is None or isinstance(value, str)):
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)


# ---- 2. Loop progress counters -------------------------------------------------------------------------------
def finished_epochs(trainer: pl.Trainer) -> int:
    """Epochs whose training, validation and epoch-end hooks have all run. Increased before the callbacks'
    on_train_epoch_end; a checkpoint taken mid-epoch sees the previous count."""
    return trainer.fit_loop.epoch_progress.current.processed


def completed_batches(trainer: pl.Trainer) -> int:
    """Training batches completed in the current epoch (what a resumed run continues after)."""
    return trainer.fit_loop.epoch_loop.batch_progress.current.completed


def batch_being_transferred(trainer: pl.Trainer) -> int:
    """The 0-based index in its epoch of the training batch in `on_after_batch_transfer`: Lightning transfers a
    batch before it marks it ready, and after a restart resets `ready` to the completed batches."""
    return trainer.fit_loop.epoch_loop.batch_progress.current.ready


def save_checkpoint_between_steps(trainer: pl.Trainer, path: str) -> None:
    """Save a checkpoint at a step boundary (in `on_train_batch_start` of the batch that begins the next optimizer
    step), such that the resumed run logs at the same steps as an uninterrupted one.

    Lightning's checkpoints are taken inside a step, before `_batches_that_stepped` (the step number loggers
    get) counts it, and a mid-epoch restart adds the missing one (training_epoch_loop.reset) unless the saved
    counters say an accumulation is in progress (`_should_accumulate()`, which reads the batch counted ready).
    Between steps the count is already complete, so one is taken off for the save exactly where that restart
    will add it back: with gradient accumulation the batch that starts a step is counted ready and looks like an
    accumulating one, so there nothing is taken off.
    """
    loop = trainer.fit_loop.epoch_loop
    added_back = 0 if loop._should_accumulate() else 1  # what the restart will add, from the counters saved
    loop._batches_that_stepped -= added_back
    try:
        trainer.save_checkpoint(path)
    finally:
        loop._batches_that_stepped += added_back


# ---- 3. Checkpoint layout ------------------------------------------------------------------------------------
# Lightning's top-level keys; callback states go under CALLBACK_STATES, one section per callback.state_key.
CALLBACK_STATES = "callbacks"
MODEL_STATE = "state_dict"
OPTIMIZER_STATES = "optimizer_states"
GLOBAL_STEP = "global_step"


def callback_sections(checkpoint: dict) -> dict[str, Any]:
    sections = checkpoint.get(CALLBACK_STATES, {})
    return sections if isinstance(sections, dict) else {}


# ---- 4. Which process is global rank zero, before any Trainer exists ------------------------------------------
# Lightning's order (accelerator_connector._choose_and_init_cluster_environment): the first environment that
# detects itself; LightningEnvironment (its own launcher, or a manual multi-node launch) otherwise.
CLUSTER_ENVIRONMENTS = (TorchElasticEnvironment, SLURMEnvironment, LSFEnvironment, MPIEnvironment)


def cluster_environment() -> ClusterEnvironment:
    for environment in CLUSTER_ENVIRONMENTS:
        if environment.detect():
            return environment()
    return LightningEnvironment()


def launched_rank() -> int:
    """This process's global rank as the launcher defined it. LightningEnvironment learns the world size only
    inside the Trainer; before that, node rank and local rank are known and the process is rank zero iff both
    are 0, so their sum (not the real rank) is returned for it."""
    environment = cluster_environment()
    if isinstance(environment, LightningEnvironment):
        return environment.node_rank() + environment.local_rank()
    return environment.global_rank()


# ---- 5. FlopCounterMode's per-module keys ---------------------------------------------------------------------
def flop_counts_by_module(counter: FlopCounterMode) -> dict[str, int]:
    """FLOPs per module, keyed by its named_modules() path ('' for the model itself). FlopCounterMode names a
    module '<ModelClass>.<path>' and adds a 'Global' total, which is left out."""
    counts = {}
    for key, operations in counter.get_flop_counts().items():
        if key == "Global":
            continue
        counts[key.split(".", 1)[1] if "." in key else ""] = sum(operations.values())
    return counts


# ---- 6. TensorBoard's text plugin ----------------------------------------------------------------------------
# SummaryWriter.add_text(tag, ...) stores the tag as '<tag>/text_summary': that is what TensorBoard shows.
TEXT_TAG_SUFFIX = "/text_summary"


# ---- 7. The progress bar's epoch start ------------------------------------------------------------------------
def restart_epoch_bar(bar: Any, total: float, description: str) -> None:
    """What TQDMProgressBar.on_train_epoch_start does to the training bar (reset it to 0 of `total`), but with
    our description: Lightning's writes a 0-based 'Epoch N', which stays visible in a log file. (Lightning's also
    re-creates the bar when `leave=True`; ours never leave.) Guarded by tests/callbacks/test_progress_bar.py."""
    bar.reset(total=None if math.isinf(total) else total)
    bar.initial = 0
    bar.set_description(description)
