"""The options of the study (the tour): the data of its parts and the run options they share."""

from __future__ import annotations

from dataclasses import dataclass, fields

from src.config import ImageData, RunOptions
from src.experiments.lms.config import LMSDataOptions


@dataclass(frozen=True)
class StudyConfig(LMSDataOptions, ImageData, RunOptions):
    """The study"""

    def shared(self) -> dict:
        """The options every part takes from the study (each part keeps its own defaults for the rest)."""
        return {field.name: getattr(self, field.name) for field in fields(RunOptions)}
