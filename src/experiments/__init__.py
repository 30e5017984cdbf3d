"""Experiments: one package each (lms/, simplenn/, classify/, study/), declared in registry.py.

This package and every experiment's __init__ and config module import neither torch nor Lightning (the
command line imports them to list commands and parse options); an experiment's Steps do, when it runs.
"""

from src.experiments.command import Command, Experiment, Tour
from src.experiments.registry import DEFAULT_COMMAND, commands

__all__ = ["DEFAULT_COMMAND", "Command", "Experiment", "Tour", "commands"]
