"""The commands of train.py, in the order --help lists them. A new experiment is one package (exporting
`COMMANDS`, see src/experiments/lms/__init__.py) plus one line here."""

from __future__ import annotations

import importlib

from src.experiments.command import Command

PACKAGES = (
    "src.experiments.study",
    "src.experiments.lms",
    "src.experiments.simplenn",
    "src.experiments.classify",
    "src.experiments.cifar",
    "src.experiments.pipeline",
    "src.experiments.resnet",
    "src.experiments.sentiment",
    "src.experiments.lm",
    "src.experiments.predict",
)
DEFAULT_COMMAND = "study"


def commands() -> dict[str, Command]:
    """name -> Command. Importing a package loads its declarations and configs only (no torch)."""
    found: dict[str, Command] = {}
    for package in PACKAGES:
        for command in importlib.import_module(package).COMMANDS:
            if command.name in found:
                raise RuntimeError(f"two commands are called {command.name!r}")
            found[command.name] = command
    return found
