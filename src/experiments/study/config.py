"""The options of the study (the tour): the data of its parts, the run options they share, the course's full
settings, and resuming."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Annotated

from src.config import ImageData, Metavar, NotSaved, ResumeOptions, RunOptions
from src.experiments.lms.config import LMSDataOptions


@dataclass(frozen=True)
class StudyConfig(LMSDataOptions, ImageData, RunOptions, ResumeOptions):
    """The study"""

    full: bool = False
    """the whole course at its settings on its data: CIFAR-10 (--data-dir cifar10 unless a copy is given), IMDB,
    GPT-2 and SmolLM2 on WikiText-2, fetched into the cache when missing; prints what it fetches and the time it
    expects first"""

    resume: Annotated[str | None, NotSaved(), Metavar("RUN")] = None
    """continue an interrupted study in its own directory: 'last' (the newest study under --logdir) or its run
    directory (runs/study/version_N); its completed parts are kept, the interrupted one resumes from its
    checkpoint, and the study keeps its saved options"""

    def shared(self) -> dict:
        """The options every part takes from the study (each part keeps its own defaults for the rest)."""
        return {field.name: getattr(self, field.name) for field in fields(RunOptions)}
