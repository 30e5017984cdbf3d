"""The options of `pipeline`: the course's recipe (shared option group), which studies run, and their grids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from src.config import Distinct, NonNegative, Positive
from src.config.course import CourseRun

StudyName = Literal["augmentation", "batchnorm", "swish", "lr", "l2", "l1"]
STUDY_NAMES: tuple[StudyName, ...] = ("augmentation", "batchnorm", "swish", "lr", "l2", "l1")


@dataclass(frozen=True)
class PipelineConfig(CourseRun):
    """The pipeline study"""

    variants: Annotated[tuple[StudyName, ...], Distinct()] = STUDY_NAMES
    """the studies whose variants to train: augmentation, batchnorm, swish, lr, l2, l1 (a variant two studies
    share trains once)"""
    bn_lrs: Annotated[tuple[float, ...], Positive(), Distinct()] = (0.1, 0.5)
    """batchnorm: the larger rates at which networks with and without batch norm are compared (besides --lr)"""
    swish_lr: Annotated[float, Positive()] = 0.1
    """swish: the rate of Swish against ReLU, both with batch norm"""
    lrs: Annotated[tuple[float, ...], Positive(), Distinct()] = (1.0, 0.1, 0.05, 0.01, 0.005, 0.001)
    """lr: the rates of the sweep, with augmentation and batch norm"""
    weight_decays: Annotated[tuple[float, ...], NonNegative(), Distinct()] = (1e-2, 1e-3, 1e-4, 1e-5, 0.0)
    """l2: the weight decays of the sweep, at --lr"""
    l1: Annotated[float, Positive()] = 1e-4
    """l1: the L1 penalty's coefficient (added to the loss as l1 * sum |w|, with no weight decay), against L2
    --weight-decay"""
