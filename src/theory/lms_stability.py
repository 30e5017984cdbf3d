"""When does LMS converge? Eigenvalue bounds of R = X^T X / N and the exact critical rate for in-order epochs.

One in-order epoch of w <- w + r e x is the affine map w -> T(r) w + b with
T(r) = (I - r x_N x_N^T) ... (I - r x_1 x_1^T); the epochs converge iff the spectral radius rho(T(r)) < 1.
For r < 2 / max_k ||x_k||^2 every factor is a symmetric contraction, so the scan for the first crossing of
rho = 1 starts there; rho(T(r)) is evaluated for a whole grid of rates at once, in log space so that large
rates cannot overflow the product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRID_POINTS = 4000  # geometric grid between the safe rate and GRID_SPAN times it
GRID_SPAN = 1e3
BISECTION_STEPS = 80


@dataclass(frozen=True)
class StabilityAnalysis:
    eigenvalues: np.ndarray  # of R = X^T X / N, largest first
    lr_bound_lambda_max: float  # 2 / lambda_max: mean-behaviour bound
    lr_bound_trace: float  # 2 / trace(R): the classic conservative bound
    lr_critical: float | None  # exact in-order threshold; None if rho < 1 over the whole scanned range

    def predicts_stable(self, lr: float) -> bool:
        return self.lr_critical is None or lr < self.lr_critical


def analyse_stability(X: np.ndarray) -> StabilityAnalysis:
    R = X.T @ X / X.shape[0]
    eigenvalues = np.sort(np.linalg.eigvalsh(R))[::-1]
    return StabilityAnalysis(
        eigenvalues=eigenvalues,
        lr_bound_lambda_max=float(2.0 / eigenvalues[0]),
        lr_bound_trace=float(2.0 / np.trace(R)),
        lr_critical=critical_rate(X),
    )


def log_spectral_radius(X: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """log rho(T(r)) for every r in `rates`, T(r) being the in-order epoch matrix defined above."""
    rates = np.atleast_1d(np.asarray(rates, dtype=np.float64))
    size = X.shape[1]
    product = np.broadcast_to(np.eye(size), (rates.size, size, size)).copy()  # (G, n, n)
    log_scale = np.zeros(rates.size)
    for x in X:
        # (I - r x x^T) P = P - r x (x^T P), applied to the whole grid at once.
        product -= rates[:, None, None] * np.einsum("i,gj->gij", x, x @ product)
        norm = np.abs(product).max(axis=(1, 2))
        norm[norm == 0] = 1.0
        product /= norm[:, None, None]
        log_scale += np.log(norm)
    radius = np.abs(np.linalg.eigvals(product)).max(axis=1)
    with np.errstate(divide="ignore"):
        return log_scale + np.log(radius)


def critical_rate(X: np.ndarray) -> float | None:
    """The largest r such that rho(T(s)) < 1 for every 0 < s < r (the first crossing of rho = 1)."""
    safe = 2.0 / float(np.max(np.einsum("ij,ij->i", X, X)))
    grid = safe * np.geomspace(1.0, GRID_SPAN, GRID_POINTS)
    unstable = np.flatnonzero(log_spectral_radius(X, grid) >= 0.0)
    if unstable.size == 0:
        return None
    first = unstable[0]
    if first == 0:  # cannot happen for a full-rank X (see the module docstring); bisect down from `safe` anyway
        low, high = 0.0, grid[0]
    else:
        low, high = grid[first - 1], grid[first]
    for _ in range(BISECTION_STEPS):
        middle = 0.5 * (low + high)
        if log_spectral_radius(X, np.array([middle]))[0] >= 0.0:
            high = middle
        else:
            low = middle
        if high - low <= 1e-14 * high:
            break
    return float(0.5 * (low + high))
