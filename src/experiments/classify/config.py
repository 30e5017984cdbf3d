"""The options of `classify`: image training and devices (shared option groups), and resuming."""

from __future__ import annotations

from dataclasses import dataclass

from src.config import ImageRun, ResumeOptions


@dataclass(frozen=True)
class ClassifyConfig(ImageRun, ResumeOptions):
    """Classification"""
