"""Steps: the parts of one experiment, which run_experiment (src/experiments/lifecycle.py) calls in order.

    prepare(cfg)                          load and check the data: everything that can fail on the user's input,
                                          before the run directory exists
    train(cfg, data, context)             build the fit(s) and train them (context.fit handles resume/interrupt)
    results(cfg, data, trained)           the experiment's part of results.json (a "config" entry adds
                                          run-time facts, e.g. the device, to the saved options)
    figures(results, data, trained, sink) PNGs under figures/ and TensorBoard images (rank zero only)
    report(results, figures, trained)     report.md
    summary(run)                          the console summary: blocks of text, printed on rank zero

Everything shared (run directory, config.json, seeding, resume, interruption, status and meta, rank-zero
gating) is the lifecycle's; an experiment only supplies these. prepare and train are its own; results, figures,
report and summary have defaults (src/experiments/defaults.py: the metrics its fit logged to TensorBoard, their
learning curves, a report and a one-line summary of them) when train returns the Fit it trained.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from src.config import Options
from src.experiments.defaults import default_figures, default_report, default_results, default_summary
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.run_context import RunContext

Config = TypeVar("Config", bound=Options)
Data = TypeVar("Data")
Trained = TypeVar("Trained")


@dataclass(frozen=True)
class Run:
    """A finished (or interrupted) run: its options, directory, results and what its training produced."""

    name: str
    config: Options
    run_dir: Path
    results: dict
    trained: Any
    summary: list[str] = dataclasses.field(default_factory=list)  # console blocks (Steps.summary)


class Steps(ABC, Generic[Config, Data, Trained]):
    @abstractmethod
    def prepare(self, cfg: Config) -> Data: ...

    @abstractmethod
    def train(self, cfg: Config, data: Data, context: RunContext) -> Trained: ...

    def results(self, cfg: Config, data: Data, trained: Trained) -> dict:
        return default_results(trained)

    def figures(self, results: dict, data: Data, trained: Trained, sink: FigureSink) -> dict[str, FigureFile]:
        return default_figures(results, trained, sink)

    def report(self, results: dict, figures: dict[str, FigureFile], trained: Trained) -> str:
        return default_report(results, figures)

    def summary(self, run: Run) -> list[str]:
        return default_summary(run.name, run.results)
