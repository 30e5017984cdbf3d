"""run_lms: the LMS experiment end to end (Wiener solution, theory, one fit for all rates, results, report)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch

from src.callbacks import DivergenceDetector, EpochMSE
from src.data import LMSDataModule, RegressionData, load_regression
from src.experiments.lms_config import LMSConfig
from src.experiments.lms_figures import write_lms_figures
from src.experiments.lms_report import render_lms_report
from src.experiments.run_dir import run_directory
from src.experiments.trainer_factory import build_trainer
from src.modules import LMSModule
from src.theory import StabilityAnalysis, WienerSolution, analyse_stability, wiener_solution


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

    def run(self) -> None:
        self.trainer.fit(self.module, datamodule=self.datamodule)


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
        callbacks=[divergence, epoch_mse],
        accelerator=cfg.accelerator,
        devices=1,
        precision=cfg.precision,
        progress_bar_refresh=max(1, data.n_samples // 4) if cfg.progress_bar else None,
        enable_checkpointing=False,
    )
    return LMSFit(trainer, module, datamodule, divergence, epoch_mse)


def run_lms(cfg: LMSConfig) -> LMSRun:
    """Everything is validated before the run directory exists, so a bad input leaves nothing behind."""
    cfg.validate()
    data = load_regression(cfg.data)
    w0 = cfg.initial_weights(data)
    wiener = wiener_solution(data.X, data.D, source=str(data.path))
    theory = analyse_stability(data.X)

    with run_directory(cfg.logdir, cfg.experiment) as run_dir:
        started = time.time()
        pl.seed_everything(cfg.seed, workers=True, verbose=False)
        fit = prepare_lms_fit(cfg, data, w0, wiener, run_dir)
        fit.run()

        results = assemble_results(cfg, data, wiener, theory, fit.module, fit.epoch_mse, fit.divergence)
        results["meta"] = {"run_dir": str(run_dir), "started": started, "elapsed_s": time.time() - started}
        writer = fit.trainer.logger.experiment
        figures = write_lms_figures(run_dir, results, data, writer)
        (run_dir / "results.json").write_text(json.dumps(results, indent=2, allow_nan=False) + "\n")
        (run_dir / "report.md").write_text(render_lms_report(results, figures))
        writer.close()  # the logger closed its writer after fit; the figures reopened it
    return LMSRun(run_dir=run_dir, results=results)


def assemble_results(
    cfg: LMSConfig,
    data: RegressionData,
    wiener: WienerSolution,
    theory: StabilityAnalysis,
    module: LMSModule,
    epoch_mse: EpochMSE,
    divergence: DivergenceDetector,
) -> dict:
    """results.json: stable keys (see README). MSE lists always hold epochs 0..E; a rate's entries after the
    epoch it diverged (frozen), and any non-finite value, are null."""
    weights = module.weight_matrix().cpu().double().numpy()
    runs = []
    for k, lr in enumerate(cfg.lrs):
        diverged_at = divergence.diverged_epoch[k]
        curve = [_finite_or_none(row[k]) for row in epoch_mse.mse_history]
        curve += [None] * (cfg.epochs + 1 - len(curve))  # the fit stops early once every rate has diverged
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
