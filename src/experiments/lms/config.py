"""The options of `lms` (one learning rate) and `lms-sweep` (several rates in one fit)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from src.config import AtLeast, Distinct, Finite, Machine, Metavar, Options, Positive, ResumeOptions, RunOptions
from src.config.device import canonical_precision
from src.config.paths import check_regression_file
from src.errors import UserError

COURSE_W0 = (0.53, 0.20, 0.10)  # the course's initial weights (bias, x1, x2)
DEFAULT_SWEEP_LRS = (0.005, 0.01, 0.05, 0.1, 0.5, 1.0)
# Lightning precision flag -> dtype of the LMS weights and data. Mixed precision makes no sense for a
# 3-weight filter, and the NumPy reference agreement (1e-10) needs float64.
LMS_DTYPES = {"64-true": "float64", "32-true": "float32"}


@dataclass(frozen=True)
class LMSDataOptions(Options):
    """Regression data"""

    data: Annotated[str, Metavar("PATH")] = "embedded"
    """regression data: .mat or .npz with X (N x (p+1), first column ones) and D (N x 1), or .csv (header row;
    feature columns, then the target); 'embedded' is the course-style dataset in src/data/assets/lms_dataset.mat"""

    def check(self) -> None:
        super().check()
        if self.data != "embedded":
            check_regression_file(Path(self.data))


@dataclass(frozen=True)
class LMSOptions(LMSDataOptions, ResumeOptions, RunOptions):
    """LMS"""

    epochs: Annotated[int, AtLeast(1)] = 20
    """passes over the data per rate"""
    w0: Annotated[tuple[float, ...] | Literal["zeros"], Finite()] = COURSE_W0
    """initial weights: p+1 numbers (bias first) or 'zeros'"""
    shuffle: bool = False
    """shuffle the samples each epoch (seeded); else file order"""
    devices: Annotated[str, Metavar("N")] = "1"
    """LMS is sequential (one sample per step, each step needs the previous weights): exactly one device, 1 or
    auto"""
    precision: Literal["64-true", "64", "32-true", "32"] = "64-true"
    """64-true (float64) or 32-true (float32); mixed precision has nothing to speed up in a 3-weight filter"""

    @property
    def rates(self) -> tuple[float, ...]:
        raise NotImplementedError

    def check(self) -> None:
        super().check()
        if self.devices not in ("1", "auto"):
            raise UserError(
                f"--devices: LMS is sequential (one sample per step, each step needs the previous weights), so it "
                f"runs on exactly one device; got {self.devices}"
            )

    @property
    def dtype(self) -> str:
        return LMS_DTYPES[self.precision]

    def resolved(self, machine: Machine) -> LMSOptions:
        return dataclasses.replace(super().resolved(machine), precision=canonical_precision(self.precision))


@dataclass(frozen=True)
class LMSConfig(LMSOptions):
    """One learning rate"""

    lr: Annotated[float, Positive()] = 0.005
    """learning rate r in w <- w + r e x"""

    @property
    def rates(self) -> tuple[float, ...]:
        return (self.lr,)


@dataclass(frozen=True)
class LMSSweepConfig(LMSOptions):
    """Learning-rate sweep"""

    lrs: Annotated[tuple[float, ...], Positive(), Distinct()] = DEFAULT_SWEEP_LRS
    """learning rates, trained side by side in one fit"""

    @property
    def rates(self) -> tuple[float, ...]:
        return self.lrs


def initial_weights(w0: tuple[float, ...] | str, n_weights: int, source: str) -> list[float]:
    """W0 for data with `n_weights` = p+1 weights: zeros, or the given values, which must number p+1."""
    if w0 == "zeros":
        return [0.0] * n_weights
    values = [float(v) for v in w0]
    if len(values) != n_weights:
        given = "the default W0 " if tuple(w0) == COURSE_W0 else ""
        raise UserError(
            f"--w0: {given}{', '.join(f'{v:g}' for v in values)} has {len(values)} values but {source} has "
            f"{n_weights} weights (p+1 with p = {n_weights - 1}); pass {n_weights} values or 'zeros'"
        )
    return values
