"""The Wiener (least-squares) solution of D ~ X w in closed form, and the dataset MSE of any weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from src.errors import UserError


@dataclass(frozen=True)
class WienerSolution:
    w: np.ndarray  # (p+1,)
    mse: float  # mean((D - X w)**2): the smallest MSE any weight vector reaches on this data


def dataset_mse(X: np.ndarray, D: np.ndarray, w: np.ndarray) -> float:
    """MSE as used everywhere in this project: mean((d - X w)**2) over the whole dataset (not the 1/(2N) variant)."""
    residual = D - X @ w
    return float(np.mean(residual * residual))


def wiener_solution(X: np.ndarray, D: np.ndarray, source: str = "X") -> WienerSolution:
    """Solve min_w ||D - X w||^2 through a QR factorisation (stable; never forms X^T X).

    A rank-deficient X has no unique solution: that is the user's data, so it raises UserError.
    """
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        raise UserError(
            f"{source}: X has rank {rank} but {X.shape[1]} columns; its columns are linearly dependent "
            "(a constant or repeated feature?), so the Wiener solution is not unique"
        )
    q, r = np.linalg.qr(X)  # X = Q R, R upper-triangular and invertible at full rank
    w = np.linalg.solve(r, q.T @ D)
    return WienerSolution(w=w, mse=dataset_mse(X, D, w))
