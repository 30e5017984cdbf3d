"""The options of `tiny`: the image training and device options every image experiment shares, 2 epochs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from src.config import AtLeast, ImageRun


@dataclass(frozen=True)
class TinyConfig(ImageRun):
    """Tiny"""

    epochs: Annotated[int, AtLeast(1)] = 2
