"""Numbers derived from an LMS results dict, shared by the console table, the report and the figures."""

from __future__ import annotations

REFERENCE_LR = 0.005  # the course's rate: the LMS run shown in the report and drawn as the LMS plane
WITHIN = 0.10  # "converged" = MSE within 10 % of the Wiener MSE


def final_mse(run: dict) -> float | None:
    """The last finite MSE of a run that did not diverge; None for a diverged run."""
    if run["diverged_epoch"] is not None:
        return None
    return run["mse"][-1]


def first_epoch_within(run: dict, wiener_mse: float, tolerance: float = WITHIN) -> int | None:
    """The first epoch whose MSE is within `tolerance` of the Wiener MSE (MSE <= (1 + tol) MSE*), or None."""
    for epoch, value in enumerate(run["mse"]):
        if value is not None and value <= (1.0 + tolerance) * wiener_mse:
            return epoch
    return None


def still_improving(run: dict, threshold: float = 1e-3) -> bool:
    """True when the last epoch still lowered the MSE by more than `threshold` (relative): not yet settled.

    In file order the epoch map is an affine contraction, so a stable rate's end-of-epoch MSE settles to a
    constant; a slow rate is still visibly decreasing when the run ends.
    """
    curve = [v for v in run["mse"] if v is not None]
    return len(curve) >= 2 and curve[-1] < (1.0 - threshold) * curve[-2]


def reference_run(results: dict) -> dict | None:
    """The run at r = 0.005 when it was trained and stayed finite, else the smallest rate that did; or None."""
    stable = [run for run in results["runs"] if run["diverged_epoch"] is None]
    for run in stable:
        if run["lr"] == REFERENCE_LR:
            return run
    return min(stable, key=lambda run: run["lr"], default=None)


def prediction_label(run: dict) -> str:
    return "converges" if run["predicted_stable"] else "diverges"


def outcome_label(run: dict) -> str:
    return "stable" if run["diverged_epoch"] is None else f"diverged (epoch {run['diverged_epoch']})"
