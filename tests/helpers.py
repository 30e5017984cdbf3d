"""Independent references and small builders shared by the tests (plain NumPy, no project code)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io


def numpy_lms(X: np.ndarray, D: np.ndarray, w0, lr: float, epochs: int, orders=None):
    """The textbook loop: w <- w + r e x per sample. Returns final w and the dataset MSE for epochs 0..E."""
    w = np.array(w0, dtype=np.float64)
    mses = [float(np.mean((D - X @ w) ** 2))]
    for epoch in range(epochs):
        order = range(len(X)) if orders is None else orders[epoch]
        for i in order:
            e = D[i] - w @ X[i]
            w = w + lr * e * X[i]
        mses.append(float(np.mean((D - X @ w) ** 2)))
    return w, mses


def make_regression(n: int = 40, p: int = 2, seed: int = 1, noise: float = 0.01):
    """X (n, p+1) with a ones column and D (n,) from a random linear model."""
    rng = np.random.default_rng(seed)
    X = np.hstack([np.ones((n, 1)), rng.standard_normal((n, p))])
    w = rng.uniform(-2, 2, p + 1)
    return X, X @ w + noise * rng.standard_normal(n)


def write_mat(path: Path, X, D) -> Path:
    scipy.io.savemat(path, {"X": X, "D": np.asarray(D).reshape(-1, 1)})
    return path


def write_npz(path: Path, X, D) -> Path:
    np.savez(path, X=X, D=np.asarray(D).reshape(-1, 1))
    return path


def write_csv(path: Path, X, D, header=None) -> Path:
    """Features (X without its ones column) then the target, with a header row."""
    p = X.shape[1] - 1
    header = header or [f"x{j + 1}" for j in range(p)] + ["d"]
    lines = [",".join(header)] + [",".join(repr(float(v)) for v in (*row[1:], d)) for row, d in zip(X, D, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path
