"""Numbers derived from an LMS results dict, shared by the console table, the report, the interpretation and
the figures: how close each rate came to the Wiener MSE, when, and what its curve was doing at the end."""

from __future__ import annotations

import itertools
import math

REFERENCE_LR = 0.005  # the course's rate: the LMS run the report details
WITHIN = 0.10  # "converged" = MSE within 10 % of the attainable level
NEGLIGIBLE = 1e-12  # relative to mean(d**2): below this an MSE is rounding error (see DivergenceDetector)
TREND = 1e-3  # relative change per epoch below which a curve may count as settled
SETTLED_WITHIN = 0.01  # ... if what the coming epochs can still change is below this fraction of the MSE
DIVERGED, RISING, OSCILLATING, IMPROVING, SETTLED = "diverged", "rising", "oscillating", "improving", "settled"
FLUCTUATING = "fluctuating"


def exact_fit(results: dict) -> bool:
    """True when the data lie on a plane up to rounding: MSE* is then rounding error, and ratios to it mean
    nothing (a 1e-31 MSE* makes any real MSE look like 1e29 x MSE*)."""
    return results["wiener"]["mse"] <= NEGLIGIBLE * results["data"]["mse_of_zero_weights"]


def attainable(results: dict) -> float:
    """The lowest MSE worth asking for: MSE*, or rounding level for an exact fit."""
    return max(results["wiener"]["mse"], NEGLIGIBLE * results["data"]["mse_of_zero_weights"])


def relative(results: dict, value: float | None) -> float | None:
    """value / MSE*, or None for an exact fit (see exact_fit) or a missing value."""
    return None if value is None or exact_fit(results) else value / results["wiener"]["mse"]


def final_mse(run: dict) -> float | None:
    """The last MSE of a run that did not diverge; None for a diverged run."""
    return None if run["diverged_epoch"] is not None else run["mse"][-1]


def first_epoch_within(run: dict, level: float, tolerance: float = WITHIN) -> int | None:
    """The first epoch whose MSE is within `tolerance` of `level` (MSE <= (1 + tol) level), or None."""
    for epoch, value in enumerate(run["mse"]):
        if value is not None and value <= (1.0 + tolerance) * level:
            return epoch
    return None


def remaining_change(curve: list[float]) -> float | None:
    """The change still to come, relative to the last value, if the last two changes go on shrinking
    geometrically (as in-order epochs converge); inf when they grow, None when they alternate in sign."""
    if len(curve) < 3:
        return None
    before, last = curve[-2] - curve[-3], curve[-1] - curve[-2]
    if last == 0:
        return 0.0
    if before == 0 or last / before < 0:
        return None
    ratio = last / before
    return math.inf if ratio >= 1 else abs(last * ratio / (1 - ratio)) / curve[-1]


def trend(run: dict, level: float) -> str:
    """What the curve does at the end: diverged; settled (at the attainable `level`, where what is left is
    noise, or changing by less than TREND per epoch with less than SETTLED_WITHIN still to come); oscillating
    (the last changes alternate in sign); fluctuating (they change sign, but not alternately: a shuffled order,
    or a transient); else improving (falling) or rising."""
    if run["diverged_epoch"] is not None:
        return DIVERGED
    curve = [v for v in run["mse"] if v is not None]
    if curve[-1] <= (1.0 + WITHIN) * level:
        return SETTLED
    changes = [(b - a) / a if a > 0 else 0.0 for a, b in itertools.pairwise(curve[-4:])]
    if not changes:
        return SETTLED
    significant = [c for c in changes if abs(c) > TREND]
    if len(significant) >= 2 and len(significant) == len(changes):
        if all(x * y < 0 for x, y in itertools.pairwise(significant)):
            return OSCILLATING
        if len({change > 0 for change in significant}) == 2:
            return FLUCTUATING
    if abs(changes[-1]) <= TREND:
        still = remaining_change(curve)
        if still is None or still <= SETTLED_WITHIN:  # None: a fluctuation around where it has settled
            return SETTLED
    return RISING if changes[-1] > 0 else IMPROVING


def two_epoch_factor(run: dict) -> float | None:
    """For an oscillating curve: by how much the MSE is multiplied every two epochs (the same phase of the
    oscillation), the geometric mean over the last four epochs; None when there are too few."""
    curve = [v for v in run["mse"] if v is not None][-4:]
    ratios = [b / a for a, b in zip(curve, curve[2:], strict=False) if a > 0]
    return math.prod(ratios) ** (1 / len(ratios)) if ratios else None


def reference_run(results: dict) -> dict | None:
    """The run at r = 0.005 when it was trained and stayed finite, else the smallest rate that did; or None."""
    stable = [run for run in results["runs"] if run["diverged_epoch"] is None]
    for run in stable:
        if run["lr"] == REFERENCE_LR:
            return run
    return min(stable, key=lambda run: run["lr"], default=None)


def best_stable_run(results: dict) -> dict | None:
    """The stable run with the lowest final MSE (ties: the smaller rate); None when every rate diverged."""
    stable = [run for run in results["runs"] if run["diverged_epoch"] is None]
    return min(stable, key=lambda run: (final_mse(run), run["lr"]), default=None)


def prediction_label(run: dict) -> str:
    return "converges" if run["predicted_stable"] else "diverges"


def outcome_label(run: dict, level: float) -> str:
    state = trend(run, level)
    if state == DIVERGED:
        return f"diverged (epoch {run['diverged_epoch']})"
    return "stable" if state in (SETTLED, IMPROVING) else f"stable so far, {state}"
