"""What a checkpoint of this project holds besides Lightning's own training state, and the callbacks that
write it. Every stateful piece is a callback with a fixed section name (`STATE_KEY`), and the `run` section
lists the sections and a format version, so that resuming can refuse a checkpoint that does not match the fit
instead of silently skipping a section (Lightning skips what it cannot find, and keys callbacks by class name
by default: a rename would orphan their state without a word).

runs/<experiment>/version_N/checkpoints/
  last.ckpt         the latest end-of-epoch state (classification: every epoch; LMS: at the end)
  best.ckpt         classification: the epoch with the best val/acc
  interrupted.ckpt  the exact state at the step where SIGINT/SIGTERM stopped training
  <part>/           a run of several resumable fits (sentiment's presets): the same three files per fit
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback, ModelCheckpoint

from src.callbacks.interruption import GracefulInterrupt
from src.callbacks.rng_state import restore_rng_state, rng_state

CHECKPOINT_FORMAT = 3  # 1: before sections and versions; 2: before the options were required and the sentiment
# course preset's head had two outputs (neither resumable now)
CHECKPOINTS, LAST, BEST, INTERRUPTED = "checkpoints", "last.ckpt", "best.ckpt", "interrupted.ckpt"


class FixedStateKey:
    """Mixin for stateful callbacks: their checkpoint section is `STATE_KEY`, whatever the class is called.
    (Also cheap: Lightning formats every callback's state_key around every hook call.)"""

    STATE_KEY: str

    @property
    def state_key(self) -> str:
        return self.STATE_KEY


def stateful_sections(callbacks: list[Callback]) -> list[str]:
    """The checkpoint sections these callbacks write: one per callback with a state_dict of its own."""
    sections = []
    for callback in callbacks:
        if type(callback).state_dict is Callback.state_dict:
            continue
        if not isinstance(callback, FixedStateKey):
            raise TypeError(f"{type(callback).__name__} has state but no fixed STATE_KEY (see FixedStateKey)")
        if callback.state_key in sections:  # two would write one section, the second over the first
            raise TypeError(f"two callbacks keep their state in the checkpoint section {callback.state_key!r}")
        sections.append(callback.state_key)
    return sorted(sections)


class RunState(FixedStateKey, Callback):
    """The `run` section: checkpoint format, the experiment that wrote it (resuming another experiment's
    checkpoint fails with a clear message, not a state_dict mismatch deep in Lightning), the options the run
    trains with (config.json as it was written: resuming compares the file with them), the sections the fit
    wrote, and the global random generator states. One callback for all of it: Lightning dispatches every hook
    to every callback on every step, ~2 us per callback in an LMS step."""

    STATE_KEY = "run"

    def __init__(self, experiment: str, options: dict[str, Any] | None = None) -> None:
        self.experiment = experiment
        self.options = options
        self._callbacks: list[Callback] = []

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        self._callbacks = trainer.callbacks

    def state_dict(self) -> dict[str, Any]:
        return {
            "format": CHECKPOINT_FORMAT,
            "experiment": self.experiment,
            "options": self.options,
            "sections": stateful_sections(self._callbacks),
            "rng": rng_state(),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        restore_rng_state(state_dict["rng"])


class DataCursor(FixedStateKey, Callback):
    """The `data_cursor` section: where the training data stream is (epoch, batches served), so that a resumed
    run continues with the very next sample or batch. The DataModule provides `cursor_state(trainer)` and
    `restore_cursor(state)` (see src/data/epoch_cursor.py)."""

    STATE_KEY = "data_cursor"

    def __init__(self) -> None:
        self._trainer: pl.Trainer | None = None

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        if not hasattr(trainer.datamodule, "restore_cursor"):
            raise TypeError(f"DataCursor needs a DataModule with a data cursor, got {type(trainer.datamodule)}")
        self._trainer = trainer

    def state_dict(self) -> dict[str, Any]:
        return {"cursor": self._trainer.datamodule.cursor_state(self._trainer)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._trainer.datamodule.restore_cursor(state_dict["cursor"])


class EpochCheckpoint(FixedStateKey, ModelCheckpoint):
    """ModelCheckpoint whose own state (best score, best and last paths) is stored in the fixed section
    `model_checkpoint`, not under Lightning's key derived from its settings. That state is therefore read back
    only by this class: a plain ModelCheckpoint would not find it (nor this class a plain one's)."""

    STATE_KEY = "model_checkpoint"


class LastCheckpoint(EpochCheckpoint):
    """last.ckpt at every `every_n_epochs`-th epoch end, beside a best-checkpoint EpochCheckpoint. Lightning's
    own save_last writes last.ckpt only at the epochs where the monitored checkpoint is also saved (when the
    metric improved), so a run whose validation accuracy stalled would keep a stale last.ckpt."""

    STATE_KEY = "last_checkpoint"


def checkpoint_callbacks(
    run_dir: Path,
    experiment: str,
    every_n_epochs: int,
    monitor: str | None,
    *,
    mode: str = "max",
    part: str | None = None,
    options: dict[str, Any] | None = None,
) -> list[Callback]:
    """RunState (with the run's `options`, as in config.json), DataCursor, GracefulInterrupt (interrupted.ckpt)
    and a checkpoint callback writing last.ckpt every `every_n_epochs` epochs (after the epoch's logging) and,
    with `monitor`, best.ckpt by it (the highest value, or with mode "min" the lowest). A run of several fits
    keeps each fit's files in checkpoints/<part>/."""
    folder = Path(run_dir) / CHECKPOINTS if part is None else Path(run_dir) / CHECKPOINTS / part
    stateful = [RunState(experiment, options), DataCursor(), GracefulInterrupt(folder / INTERRUPTED)]
    every = dict(dirpath=folder, every_n_epochs=every_n_epochs, save_on_train_epoch_end=True)
    if not monitor:
        return [*stateful, EpochCheckpoint(save_last=True, save_top_k=0, **every)]
    # One best checkpoint, replaced when val/acc improves (its epoch is in results.json; Lightning's epoch
    # numbers in file names would be 0-based where our reports count from 1). It comes first: Lightning's
    # `trainer.checkpoint_callback` (and so `test(ckpt_path="best")`) is the first checkpoint callback.
    files = dict(save_top_k=1, enable_version_counter=False, save_last=False)
    best = EpochCheckpoint(monitor=monitor, mode=mode, filename=Path(BEST).stem, **files, **every)
    last = LastCheckpoint(monitor=None, filename=Path(LAST).stem, **files, **every)
    return [*stateful, best, last]
