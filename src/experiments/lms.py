"""run_lms: the LMS experiment end to end (Wiener solution, theory, one fit for all rates, results, report)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch

from src.atomic import write_results
from src.callbacks import DivergenceDetector, EpochMSE
from src.data import LMSDataModule, RegressionData, load_regression
from src.experiments.checkpoints import (
    checkpoint_callbacks,
    conclude,
    fit_or_interrupt,
    resolve_resume,
    run_meta,
    save_config,
)
from src.experiments.lms_config import LMSConfig
from src.experiments.lms_figures import write_lms_figures
from src.experiments.lms_report import render_lms_report
from src.experiments.run_dir import run_directory
from src.experiments.trainer_factory import build_trainer
from src.modules import LMSModule
from src.theory import StabilityAnalysis, WienerSolution, analyse_stability, wiener_solution

# What may differ from the saved options when a run is resumed: where and how visibly it runs, not what.
RESUMABLE_CHANGES = frozenset({"accelerator", "progress_bar", "deterministic"})


@dataclass(frozen=True)
class LMSRun:
    run_dir: Path
    results: dict


@dataclass(frozen=True)
class LMSFit:
    """Everything one LMS fit is made of; `run()` trains it."""

    trainer: pl.Trainer
    module: LMSModule
    datamodule: LMSDataModule
    divergence: DivergenceDetector
    epoch_mse: EpochMSE

    def run(self, checkpoint: Path | None = None) -> None:
        self.trainer.fit(self.module, datamodule=self.datamodule, ckpt_path=checkpoint, weights_only=True)


def prepare_lms_fit(
    cfg: LMSConfig, data: RegressionData, w0: list[float], wiener: WienerSolution, run_dir: Path
) -> LMSFit:
    """The DataModule, module, callbacks and Trainer of an LMS run (also what bench/lms.py measures)."""
    datamodule = LMSDataModule(data, dtype=getattr(torch, cfg.dtype), shuffle=cfg.shuffle, seed=cfg.seed)
    module = LMSModule(cfg.lrs, w0, dtype=cfg.dtype)
    divergence = DivergenceDetector(datamodule.X, datamodule.D)
    epoch_mse = EpochMSE(datamodule.X, datamodule.D, w_star=wiener.w, wiener_mse=wiener.mse)
    trainer = build_trainer(
        run_dir,
        max_epochs=cfg.epochs,
        # Order matters: a rate frozen at this epoch's end is no longer drawn by EpochMSE.
        # A checkpoint costs ~9 ms and an epoch ~30 ms: last.ckpt is written once, at the end, and
        # SIGINT/SIGTERM write interrupted.ckpt at once (LMS runs take seconds).
        callbacks=[divergence, epoch_mse, *checkpoint_callbacks(run_dir, cfg.experiment, cfg.epochs, monitor=None)],
        accelerator=cfg.accelerator,
        devices=1,
        precision=cfg.precision,
        progress_bar_refresh=max(1, data.n_samples // 4) if cfg.progress_bar else None,
        deterministic=cfg.deterministic or None,
    )
    return LMSFit(trainer, module, datamodule, divergence, epoch_mse)


def run_lms(cfg: LMSConfig) -> LMSRun:
    """Everything is validated before the run directory exists, so a bad input leaves nothing behind.

    With `cfg.resume` the run continues in its own directory from its checkpoint, with its saved options.
    SIGINT/SIGTERM during training save a checkpoint and the partial results, then raise RunInterrupted.
    """
    cfg, resume = resolve_resume(cfg, RESUMABLE_CHANGES)
    cfg.validate()
    data = load_regression(cfg.data)
    w0 = cfg.initial_weights(data)
    wiener = wiener_solution(data.X, data.D, source=str(data.path))
    theory = analyse_stability(data.X)

    with run_directory(cfg.logdir, cfg.experiment, existing=resume.run_dir if resume else None) as run_dir:
        started = time.time()
        if resume is None:
            save_config(run_dir, cfg)
        pl.seed_everything(cfg.seed, workers=True, verbose=False)
        fit = prepare_lms_fit(cfg, data, w0, wiener, run_dir)
        stop = fit_or_interrupt(fit, resume)

        results = assemble_results(cfg, data, wiener, theory, fit.module, fit.epoch_mse, fit.divergence, stop is None)
        results["status"] = "completed" if stop is None else "interrupted"
        results["meta"] = run_meta(run_dir, started, resume, stop, fit.trainer)
        writer = fit.trainer.logger.experiment
        figures = write_lms_figures(run_dir, results, data, writer)
        write_results(run_dir, results, render_lms_report(results, figures))
        writer.close()  # the logger closed its writer after fit; the figures reopened it
        conclude(cfg.experiment, run_dir, stop, fit.trainer)
    return LMSRun(run_dir=run_dir, results=results)


def assemble_results(
    cfg: LMSConfig,
    data: RegressionData,
    wiener: WienerSolution,
    theory: StabilityAnalysis,
    module: LMSModule,
    epoch_mse: EpochMSE,
    divergence: DivergenceDetector,
    complete: bool = True,
) -> dict:
    """results.json: stable keys (see README). MSE lists hold epochs 0..E (an interrupted run: 0..the last
    completed epoch); a rate's entries after the epoch it diverged (frozen), and non-finite values, are null."""
    weights = module.weight_matrix().cpu().double().numpy()
    runs = []
    for k, lr in enumerate(cfg.lrs):
        diverged_at = divergence.diverged_epoch[k]
        curve = [_finite_or_none(row[k]) for row in epoch_mse.mse_history]
        if complete:  # the fit stops early once every rate has diverged: the missing epochs are null
            curve += [None] * (cfg.epochs + 1 - len(curve))
        if diverged_at is not None:
            curve = [v if epoch <= diverged_at else None for epoch, v in enumerate(curve)]
        runs.append(
            {
                "lr": lr,
                "w": None if diverged_at is not None else weights[k].tolist(),
                "mse": curve,
                "diverged_epoch": diverged_at,
                "predicted_stable": theory.predicts_stable(lr),
            }
        )
    return {
        "experiment": cfg.experiment,
        "data": {"path": str(data.path), "n_samples": data.n_samples, "n_features": data.n_features},
        "wiener": {"w": wiener.w.tolist(), "mse": wiener.mse},
        "theory": {
            "eigenvalues": theory.eigenvalues.tolist(),
            "lr_bound_lambda_max": theory.lr_bound_lambda_max,
            "lr_bound_trace": theory.lr_bound_trace,
            "lr_critical": theory.lr_critical,
            "lr_critical_note": theory.note,
        },
        "runs": runs,
        "config": {
            "epochs": cfg.epochs,
            "w0": module.hparams["w0"],
            "seed": cfg.seed,
            "shuffle": cfg.shuffle,
            "precision": cfg.precision,
            "device": str(module.device),
        },
    }


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
