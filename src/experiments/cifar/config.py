"""The options of `cifar`: the course's recipe (shared option group) and the bonus run's step decay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from src.config import AtLeast, InRange
from src.config.course import CourseRun


@dataclass(frozen=True)
class CifarConfig(CourseRun):
    """The learning-rate decay bonus"""

    decay_every: Annotated[int, AtLeast(1)] = 5
    """the bonus run multiplies the learning rate by --decay-factor every N epochs"""
    decay_factor: Annotated[float, InRange(0, 1, "(0, 1)", open_low=True, open_high=True)] = 0.5
    """the bonus run's step-decay factor"""
