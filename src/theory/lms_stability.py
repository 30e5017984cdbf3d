"""When does LMS converge? Eigenvalue bounds of R = X^T X / N and the exact critical rate for in-order epochs.

One in-order epoch of w <- w + r e x is the affine map w -> T(r) w + b with
T(r) = (I - r x_N x_N^T) ... (I - r x_1 x_1^T); the epochs converge iff the spectral radius rho(T(r)) < 1.
For r < 2 / max_k ||x_k||^2 every factor is a symmetric contraction, so the scan for the first crossing of
rho = 1 starts there; rho(T(r)) is evaluated for a whole grid of rates at once, in log space so that large
rates cannot overflow the product; the bracket of the first crossing is then refined the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRID_POINTS = 4000  # geometric grid between the safe rate and GRID_SPAN times it
GRID_SPAN = 1e3
REFINE_POINTS = 62  # per refinement pass
REFINE_ROUNDS = 8  # 1.7e-3 relative bracket / 63**7 < 1e-14
# The scan costs N * grid * (p+1)^2 units (~1e8 per second here; 0.03 s for the embedded data). Larger
# problems get a coarser grid within SCAN_BUDGET; below MIN_GRID_POINTS r_crit is skipped and said so.
SCAN_BUDGET = 3e8
MIN_GRID_POINTS = 200
CHUNK_BYTES = 64 * 2**20  # the grid is scanned in chunks of at most this much memory
RENORMALISE_EVERY = 16  # samples between rescalings: 16 factors of norm <= ~2000 stay far from overflow


@dataclass(frozen=True)
class StabilityAnalysis:
    eigenvalues: np.ndarray  # of R = X^T X / N, largest first
    lr_bound_lambda_max: float  # 2 / lambda_max: mean-behaviour bound
    lr_bound_trace: float  # 2 / trace(R): the classic conservative bound
    lr_critical: float | None  # exact in-order threshold; None if not found or not computed (see note)
    note: str | None = None  # why lr_critical is None, and what the predictions use instead

    @property
    def prediction_bound(self) -> float | None:
        """r_crit when known; else 2/trace(R) if the scan was skipped (conservative: it lies below 2/lambda_max)."""
        if self.lr_critical is not None:
            return self.lr_critical
        return self.lr_bound_trace if self.note and "skipped" in self.note else None

    def predicts_stable(self, lr: float) -> bool:
        bound = self.prediction_bound
        return bound is None or lr < bound


def analyse_stability(X: np.ndarray) -> StabilityAnalysis:
    R = X.T @ X / X.shape[0]
    eigenvalues = np.sort(np.linalg.eigvalsh(R))[::-1]
    grid = int(min(GRID_POINTS, SCAN_BUDGET / (X.shape[0] * X.shape[1] ** 2)))
    note = None
    if grid < MIN_GRID_POINTS:
        critical = None
        note = (
            f"r_crit skipped: the exact scan is too costly for {X.shape[0]} samples of {X.shape[1]} weights; "
            "predictions use the conservative 2/trace(R) instead"
        )
    else:
        critical = critical_rate(X, grid)
        if critical is None:
            note = "no rate up to 1000 x 2/max||x||^2 makes the epoch map expand"
        elif grid < GRID_POINTS:
            note = (
                f"r_crit from a scan of {grid} rates (coarser than {GRID_POINTS}, for a large dataset), then bisection"
            )
    return StabilityAnalysis(
        eigenvalues=eigenvalues,
        lr_bound_lambda_max=float(2.0 / eigenvalues[0]),
        lr_bound_trace=float(2.0 / np.trace(R)),
        lr_critical=critical,
        note=note,
    )


def log_spectral_radius(X: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """log rho(T(r)) for every r in `rates`, T(r) being the in-order epoch matrix defined above."""
    rates = np.atleast_1d(np.asarray(rates, dtype=np.float64))
    chunk = max(1, CHUNK_BYTES // (8 * X.shape[1] ** 2))  # rates per chunk: bounded memory for any p
    if rates.size > chunk:
        return np.concatenate([log_spectral_radius(X, rates[i : i + chunk]) for i in range(0, rates.size, chunk)])
    size = X.shape[1]
    product = np.broadcast_to(np.eye(size), (rates.size, size, size)).copy()  # (G, n, n)
    log_scale = np.zeros(rates.size)
    for k, x in enumerate(X):
        # (I - r x x^T) P = P - r x (x^T P), applied to the whole grid at once.
        product -= rates[:, None, None] * np.einsum("i,gj->gij", x, x @ product)
        if k % RENORMALISE_EVERY == RENORMALISE_EVERY - 1 or k == len(X) - 1:
            norm = np.abs(product).max(axis=(1, 2))
            norm[norm == 0] = 1.0
            product /= norm[:, None, None]
            log_scale += np.log(norm)
    radius = np.abs(np.linalg.eigvals(product)).max(axis=1)
    with np.errstate(divide="ignore"):
        return log_scale + np.log(radius)


def critical_rate(X: np.ndarray, grid_points: int = GRID_POINTS) -> float | None:
    """The largest r such that rho(T(s)) < 1 for every 0 < s < r (the first crossing of rho = 1)."""
    safe = 2.0 / float(np.max(np.einsum("ij,ij->i", X, X)))
    grid = safe * np.geomspace(1.0, GRID_SPAN, grid_points)
    unstable = np.flatnonzero(log_spectral_radius(X, grid) >= 0.0)
    if unstable.size == 0:
        return None
    first = unstable[0]
    if first == 0:  # cannot happen for a full-rank X (see the module docstring); refine down from `safe` anyway
        low, high = 0.0, grid[0]
    else:
        low, high = grid[first - 1], grid[first]
    # Refine the bracket with REFINE_POINTS rates per pass (one vectorised pass shrinks it REFINE_POINTS+1
    # times, where bisection would need a sequential pass per halving).
    for _ in range(REFINE_ROUNDS):
        if high - low <= 1e-14 * high:
            break
        points = np.linspace(low, high, REFINE_POINTS + 2)[1:-1]
        crossing = np.flatnonzero(log_spectral_radius(X, points) >= 0.0)
        if crossing.size == 0:
            low = points[-1]
        else:
            high = points[crossing[0]]
            low = points[crossing[0] - 1] if crossing[0] > 0 else low
    return float(0.5 * (low + high))
