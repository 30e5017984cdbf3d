"""results.json of an LMS run (stable keys, see the README)."""

from __future__ import annotations

import numpy as np

from src.experiments.lms.config import LMSOptions
from src.experiments.lms.fit import LMSFit, LMSInputs


def lms_results(cfg: LMSOptions, inputs: LMSInputs, fit: LMSFit, completed: bool) -> dict:
    """MSE lists hold epochs 0..E (an interrupted run: 0..the last completed epoch); a rate's entries after the
    epoch it diverged (it is frozen from then on), and non-finite values, are null."""
    data, wiener, theory = inputs.data, inputs.wiener, inputs.theory
    weights = fit.module.weight_matrix().cpu().double().numpy()
    runs = []
    for k, lr in enumerate(cfg.rates):
        diverged_at = fit.divergence.diverged_epoch[k]
        curve = [_finite_or_none(row[k]) for row in fit.epoch_mse.mse_history]
        if completed:  # the fit stops early once every rate has diverged: the missing epochs are null
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
        "data": {
            "path": str(data.path),
            "n_samples": data.n_samples,
            "n_features": data.n_features,
            "mse_of_zero_weights": float(np.mean(data.D * data.D)),
        },
        "wiener": {"w": wiener.w.tolist(), "mse": wiener.mse},
        "theory": {
            "eigenvalues": theory.eigenvalues.tolist(),
            "lr_bound_lambda_max": theory.lr_bound_lambda_max,
            "lr_bound_trace": theory.lr_bound_trace,
            "lr_critical": theory.lr_critical,
            "lr_critical_note": theory.note,
        },
        "runs": runs,
        "config": {"w0": fit.module.hparams["w0"], "device": str(fit.module.device)},
    }


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
