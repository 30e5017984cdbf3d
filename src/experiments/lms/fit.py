"""The Lightning fit of an LMS run: one LMSModule for every rate, the sample stream, the epoch observers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from pytorch_lightning.callbacks import Callback

from src.callbacks import DivergenceDetector, EpochMSE
from src.data import LMSDataModule, RegressionData
from src.experiments.fit import Fit
from src.experiments.lms.config import LMSOptions
from src.experiments.trainer_factory import build_trainer
from src.modules import LMSModule
from src.theory import StabilityAnalysis, WienerSolution


@dataclass(frozen=True)
class LMSInputs:
    """What an LMS run is computed from, all known before training."""

    data: RegressionData
    w0: list[float]
    wiener: WienerSolution
    theory: StabilityAnalysis


@dataclass(frozen=True)
class LMSFit(Fit):
    divergence: DivergenceDetector
    epoch_mse: EpochMSE


def build_lms_fit(
    cfg: LMSOptions,
    data: RegressionData,
    w0: list[float],
    wiener: WienerSolution,
    run_dir: Path,
    checkpointing: list[Callback],
) -> LMSFit:
    """The DataModule, module, callbacks and Trainer of an LMS run (also what bench/lms.py measures)."""
    datamodule = LMSDataModule(data, dtype=getattr(torch, cfg.dtype), shuffle=cfg.shuffle, seed=cfg.seed)
    module = LMSModule(cfg.rates, w0, dtype=cfg.dtype)
    divergence = DivergenceDetector(datamodule.X, datamodule.D)
    epoch_mse = EpochMSE(datamodule.X, datamodule.D, w_star=wiener.w, wiener_mse=wiener.mse)
    trainer = build_trainer(
        run_dir,
        max_epochs=cfg.epochs,
        # Order matters: a rate frozen at this epoch's end is no longer drawn by EpochMSE. A checkpoint costs
        # ~9 ms and an epoch ~30 ms: `checkpointing` writes last.ckpt once, at the end (every cfg.epochs), and
        # SIGINT/SIGTERM write interrupted.ckpt at once (LMS runs take seconds).
        callbacks=[divergence, epoch_mse, *checkpointing],
        accelerator=cfg.accelerator,
        devices=1,
        precision=cfg.precision,
        progress_bar_refresh=max(1, data.n_samples // 4) if cfg.progress_bar else None,
        deterministic=cfg.deterministic or None,
    )
    return LMSFit(trainer, module, datamodule, divergence, epoch_mse)
