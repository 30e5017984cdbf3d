"""The options of `simplenn`: image training and devices (shared option groups), with its own epochs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from src.config import AtLeast, ImageRun


@dataclass(frozen=True)
class SimpleNNConfig(ImageRun):
    """SimpleNN analysis"""

    epochs: Annotated[int, AtLeast(1)] = 5  # each of the two training runs (default init, zero init)
