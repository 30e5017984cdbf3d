"""build_trainer: one place that turns a run's device options into a lean, quiet Lightning Trainer."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytorch_lightning as pl
from lightning_fabric.utilities.exceptions import MisconfigurationException
from pytorch_lightning.callbacks import Callback
from pytorch_lightning.loggers import TensorBoardLogger
from pytorch_lightning.profilers import PassThroughProfiler

from src.callbacks import ProgressBar
from src.config import DeviceOptions, Machine
from src.errors import UserError


class NullProfiler(PassThroughProfiler):
    """Profiles nothing, like the default, but without building a generator context per call.

    Lightning wraps ~20 sections of every training step in `profiler.profile(...)`; the default's
    @contextmanager costs ~10 us per LMS step, which is ~5 % of it. A shared nullcontext costs nothing.
    """

    _nothing = contextlib.nullcontext()

    def profile(self, action_name: str) -> contextlib.nullcontext:
        return self._nothing


def cudnn_benchmark(cfg: DeviceOptions, machine: Machine) -> bool:
    """Let cuDNN pick its fastest convolution algorithms (fixed input shapes) on a GPU, unless the run asked for
    determinism: benchmarking chooses algorithms by timing, which breaks it."""
    return cfg.uses_gpu(machine) and not cfg.deterministic


def tensorboard_logger(run_dir: Path) -> TensorBoardLogger:
    """A logger whose log_dir is exactly run_dir (runs/<experiment>/version_N[/sub-run])."""
    return TensorBoardLogger(
        save_dir=str(run_dir.parent.parent),
        name=run_dir.parent.name,
        version=run_dir.name,
        default_hp_metric=False,
    )


def build_trainer(
    run_dir: Path,
    *,
    max_epochs: int,
    callbacks: list[Callback],
    accelerator: str,
    devices: int | str,
    precision: str,
    progress_bar_refresh: int | None,
    progress_label: str | None = None,
    **trainer_kwargs: object,
) -> pl.Trainer:
    """A Trainer logging to TensorBoard in run_dir; `progress_bar_refresh=None` hides the progress bar.

    Lightning's own checks of accelerator/devices/precision become one-line UserErrors naming the options.
    """
    callbacks = list(callbacks)
    if progress_bar_refresh is not None:
        callbacks.append(ProgressBar(refresh_rate=progress_bar_refresh, label=progress_label))
    try:
        return pl.Trainer(
            default_root_dir=str(run_dir),
            logger=tensorboard_logger(run_dir),
            callbacks=callbacks,
            max_epochs=max_epochs,
            accelerator=accelerator,
            devices=devices,
            precision=precision,
            profiler=NullProfiler(),
            enable_progress_bar=progress_bar_refresh is not None,
            enable_model_summary=False,
            num_sanity_val_steps=0,
            **trainer_kwargs,
        )
    except (MisconfigurationException, ValueError) as exc:  # what Lightning raises for bad device options
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"--accelerator {accelerator} --devices {devices} --precision {precision}: {message}") from None
