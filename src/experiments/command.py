"""What the command line knows of an experiment, without importing torch: its name, options and help.

An `Experiment` names its config (a torch-free dataclass, see src/config) and where its `Steps` live; the
steps (data, fits, results, figures, report, console summary) are imported only when it runs, so that
`train.py --help` and every argument error answer at once. A `Tour` runs several experiments in turn (the
study). `run` executes the command and returns the process exit status.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from src.config import Options, ResumeOptions

if TYPE_CHECKING:
    from collections.abc import Callable

    from src.experiments.steps import Steps


@dataclass(frozen=True)
class Command:
    name: str  # the command, and the folder its runs go to: runs/<name>/version_N
    config: type[Options]
    help: str  # one line in the list of commands
    description: str  # the paragraph at the top of the command's --help
    positional: str | None = field(
        default=None, kw_only=True
    )  # the option a bare word sets: `predict RUN` is `predict --run RUN`

    def run(self, cfg: Options, given: frozenset[str]) -> int:
        raise NotImplementedError


@dataclass(frozen=True)
class Experiment(Command):
    steps: str  # "package.module:Class" of its Steps

    @property
    def resumable(self) -> bool:
        return issubclass(self.config, ResumeOptions)

    def load(self) -> Steps:
        module, _, name = self.steps.partition(":")
        return getattr(importlib.import_module(module), name)()

    def run(self, cfg: Options, given: frozenset[str]) -> int:
        # Imported here: torch and Lightning load only once a command runs.
        from src.experiments.lifecycle import leave_process_group, present, run_experiment, tensorboard_line
        from src.experiments.ranks import say

        run = run_experiment(self, cfg, given)
        present(run)
        say(tensorboard_line(run.config.logdir))
        leave_process_group()
        return 0


@dataclass(frozen=True)
class Tour(Command):
    """Several experiments in turn, each in its own run directory with its own defaults; `parts` derives their
    configs from the tour's."""

    parts: Callable[[Any], list[tuple[Experiment, Options]]]
    plan: Callable[[Any, list[bool]], None] | None = field(default=None, kw_only=True)  # said before parts prepare
    title: Callable[[Any], str] = field(default=lambda cfg: "The study", kw_only=True)  # its report's title

    def run(self, cfg: Options, given: frozenset[str]) -> int:
        from src.experiments.lifecycle import leave_process_group
        from src.experiments.tour import run_tour

        run_tour(self, cfg)
        leave_process_group()
        return 0
