"""LMSConfig: everything an LMS run depends on, validated against the data before anything is written."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from src.data.regression_file import EMBEDDED_LMS_DATA, RegressionData
from src.errors import UserError

COURSE_W0 = (0.53, 0.20, 0.10)  # the course's initial weights (bias, x1, x2)
DEFAULT_SWEEP_LRS = (0.005, 0.01, 0.05, 0.1, 0.5, 1.0)
DEFAULT_LR = 0.005
# Lightning precision flag -> dtype of the LMS weights and data. Mixed precision makes no sense for a
# 3-weight filter, and the NumPy reference agreement (1e-10) needs float64.
LMS_PRECISIONS = {"64-true": "float64", "64": "float64", "32-true": "float32", "32": "float32"}


@dataclass(frozen=True)
class LMSConfig:
    experiment: str  # "lms" (one rate) or "lms-sweep"
    lrs: tuple[float, ...]
    data: Path = EMBEDDED_LMS_DATA
    epochs: int = 20
    w0: tuple[float, ...] | str = COURSE_W0  # or "zeros"
    seed: int = 0
    shuffle: bool = False
    logdir: Path = Path("runs")
    accelerator: str = "auto"
    devices: str = "1"
    precision: str = "64-true"
    progress_bar: bool = True
    deterministic: bool = False
    resume: str | None = None  # "last", a run directory or a checkpoint (see src/experiments/checkpoints.py)
    explicit: frozenset[str] = frozenset()  # options given on the command line (checked against a resumed run)

    @property
    def dtype(self) -> str:
        return LMS_PRECISIONS[self.precision]

    def validate(self) -> None:
        """Checks that need no data: rates, epochs, precision, devices."""
        if not self.lrs:
            raise UserError("--lrs: give at least one learning rate")
        for lr in self.lrs:
            if not (math.isfinite(lr) and lr > 0):
                raise UserError(f"--lr/--lrs: learning rates must be finite and > 0, got {lr:g}")
        if len(set(self.lrs)) != len(self.lrs):
            raise UserError(f"--lrs: each rate may appear once, got {', '.join(f'{r:g}' for r in self.lrs)}")
        if self.epochs < 1:
            raise UserError(f"--epochs: must be at least 1, got {self.epochs}")
        if self.precision not in LMS_PRECISIONS:
            raise UserError(
                f"--precision: LMS runs in 64-true (default) or 32-true, got {self.precision!r} "
                "(mixed precision has nothing to speed up in a 3-weight filter)"
            )
        if str(self.devices) not in ("1", "auto"):
            raise UserError(
                f"--devices: LMS is sequential (one sample per step, each step needs the previous weights), "
                f"so it runs on exactly one device; got {self.devices}"
            )

    def initial_weights(self, data: RegressionData) -> list[float]:
        """W0 for this data: the course's default, zeros, or the user's values; its length must be p+1."""
        size = data.n_features + 1
        if self.w0 == "zeros":
            return [0.0] * size
        w0 = [float(v) for v in self.w0]
        if len(w0) != size:
            given = "the default W0 " if tuple(self.w0) == COURSE_W0 else ""
            raise UserError(
                f"--w0: {given}{', '.join(f'{v:g}' for v in w0)} has {len(w0)} values but {data.path} has "
                f"{size} weights (p+1 with p = {data.n_features}); pass {size} comma-separated values or 'zeros'"
            )
        if not all(math.isfinite(v) for v in w0):
            raise UserError("--w0: values must be finite numbers")
        return w0
