"""Regenerate the embedded LMS dataset (src/data/assets/lms_dataset.mat) with a pinned generator and seed.

100 samples, x1, x2 ~ N(0, 1), d = 1 + x1 - 2 x2 + N(0, 0.01^2), stored like the course's dataset.mat:
X (100 x 3, first column ones) and D (100 x 1). Usage: python scripts/make_lms_dataset.py [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import scipy.io

from src.data.regression_file import EMBEDDED_LMS_DATA

SEED = 0
N_SAMPLES = 100
TRUE_WEIGHTS = np.array([1.0, 1.0, -2.0])  # bias, x1, x2
NOISE_STD = 0.01


def make_lms_dataset(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """X (N, 3) with a ones column and D (N, 1), drawn from PCG64 (NumPy's pinned default bit generator)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    features = rng.standard_normal((N_SAMPLES, 2))
    noise = rng.normal(0.0, NOISE_STD, N_SAMPLES)
    X = np.hstack([np.ones((N_SAMPLES, 1)), features])
    D = (X @ TRUE_WEIGHTS + noise)[:, None]
    return X, D


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=EMBEDDED_LMS_DATA, help="where to write the .mat file")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the PCG64 generator")
    args = parser.parse_args(argv)
    X, D = make_lms_dataset(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    scipy.io.savemat(args.out, {"X": X, "D": D}, format="5")
    print(f"wrote {args.out}: X {X.shape}, D {D.shape}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
