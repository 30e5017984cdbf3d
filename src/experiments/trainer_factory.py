"""build_trainer: one place that turns a run's device options into a lean, quiet Lightning Trainer."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytorch_lightning as pl
from lightning_fabric.utilities.exceptions import MisconfigurationException
from pytorch_lightning.callbacks import Callback
from pytorch_lightning.loggers import TensorBoardLogger
from pytorch_lightning.profilers import PassThroughProfiler

from src.callbacks import progress_callback
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


def image_trainer(
    cfg: DeviceOptions,
    machine: Machine,
    run_dir: Path,
    *,
    max_epochs: int,
    callbacks: list[Callback],
    progress_label: str | None = None,
    enable_checkpointing: bool,
    parameters_may_stop: bool = False,
) -> pl.Trainer:
    """The Trainer of an image fit, from the run's device options (devices, strategy, nodes, precision,
    determinism, progress bar). `parameters_may_stop`: some parameters stop taking part during the fit (a
    diverged model of a side-by-side fit is frozen); DDP must then look for parameters without a gradient each
    step, or its gradient reduction would wait for them forever."""
    strategy = cfg.strategy
    if parameters_may_stop and strategy in ("auto", "ddp") and device_count(cfg, machine) * cfg.num_nodes > 1:
        strategy = "ddp_find_unused_parameters_true"
    return build_trainer(
        run_dir,
        max_epochs=max_epochs,
        callbacks=callbacks,
        accelerator=cfg.accelerator,
        devices=int(cfg.devices) if cfg.devices != "auto" else "auto",
        precision=cfg.precision,
        progress_bar_refresh=5 if cfg.progress_bar else None,
        progress_label=progress_label,
        enable_checkpointing=enable_checkpointing,
        deterministic=cfg.deterministic or None,
        strategy=strategy,
        num_nodes=cfg.num_nodes,
        benchmark=cudnn_benchmark(cfg, machine),
    )


def device_count(cfg: DeviceOptions, machine: Machine) -> int:
    """Devices per node the run will use: --devices, or for 'auto' every GPU (one CPU process otherwise)."""
    if cfg.devices != "auto":
        return int(cfg.devices)
    import torch

    return torch.cuda.device_count() if cfg.uses_gpu(machine) else 1


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
    """A Trainer logging to TensorBoard in run_dir; `progress_bar_refresh=None` hides the progress (a bar
    refreshed every that many steps on a terminal, else one line per epoch).

    Lightning's own checks of accelerator/devices/precision become one-line UserErrors naming the options.
    """
    callbacks = list(callbacks)
    if progress_bar_refresh is not None:  # a bar on a terminal, one line per epoch in a log file or a pipe
        callbacks.append(progress_callback(progress_bar_refresh, progress_label))
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
