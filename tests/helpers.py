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


CIFAR_NAMES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def cifar_arrays(per_batch: int = 4, seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Random pixels (N, 3072) uint8 and labels (N,) for each of the six official batch files."""
    rng = np.random.default_rng(seed)
    return {
        name: (rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8), rng.integers(0, 10, per_batch))
        for name in CIFAR_NAMES
    }


def write_cifar_py(root: Path, arrays: dict, protocol: int = 2) -> Path:
    """cifar-10-batches-py/ as the official python download: pickled dicts with bytes keys."""
    import pickle

    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (data, labels) in arrays.items():
        batch = {
            b"batch_label": name.encode(),
            b"labels": [int(v) for v in labels],
            b"data": data,
            b"filenames": [f"{name}_{i}.png".encode() for i in range(len(labels))],
        }
        (folder / name).write_bytes(pickle.dumps(batch, protocol=protocol))
    return folder


def write_cifar_bin(root: Path, arrays: dict) -> Path:
    """cifar-10-batches-bin/ as the official binary download: records of 1 label byte + 3072 pixel bytes."""
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (data, labels) in arrays.items():
        records = np.hstack([np.asarray(labels, dtype=np.uint8)[:, None], data])
        (folder / f"{name}.bin").write_bytes(records.tobytes())
    return folder


def write_reviews_csv(path: Path, n: int = 300, seed: int = 4) -> Path:
    """A Kaggle-format IMDB CSV (review, sentiment) of short made-up reviews, 60 % positive, whose sentiment a
    word decides ("superb" or "dull")."""
    import csv
    import random

    good, bad = ["great", "moving", "superb", "charming", "brilliant"], ["awful", "boring", "dull", "mess", "tedious"]
    neutral = ["plot", "actor", "scene", "music", "story", "camera", "script", "ending"]
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["review", "sentiment"])
        for k in range(n):
            positive = k % 5 < 3
            telling = rng.choices(good if positive else bad, k=rng.randint(1, 3))
            words = rng.choices(neutral, k=rng.randint(2, 12)) + telling
            rng.shuffle(words)
            writer.writerow(["The " + " ".join(words) + ".<br /><br />Really!", "positive" if positive else "negative"])
    return path
