"""The LMS experiment's steps: Wiener solution and theory from the data, one fit for every rate, the report."""

from __future__ import annotations

from dataclasses import dataclass

from src.data import load_regression, regression_path
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.lms.config import LMSOptions, initial_weights
from src.experiments.lms.figures import lms_figures
from src.experiments.lms.fit import LMSFit, LMSInputs, build_lms_fit
from src.experiments.lms.report import render_lms_report
from src.experiments.lms.results import lms_results
from src.experiments.lms.summary import lms_summary
from src.experiments.run_context import RunContext
from src.experiments.steps import Run, Steps
from src.theory import analyse_stability, wiener_solution


@dataclass(frozen=True)
class LMSTrained:
    fit: LMSFit
    completed: bool


class LMSSteps(Steps[LMSOptions, LMSInputs, LMSTrained]):
    def prepare(self, cfg: LMSOptions) -> LMSInputs:
        data = load_regression(regression_path(cfg.data))
        w0 = initial_weights(cfg.w0, data.n_features + 1, str(data.path))
        wiener = wiener_solution(data.X, data.D, source=str(data.path))
        return LMSInputs(data, w0, wiener, analyse_stability(data.X))

    def train(self, cfg: LMSOptions, inputs: LMSInputs, context: RunContext) -> LMSTrained:
        checkpointing = context.checkpoint_callbacks(every_n_epochs=cfg.epochs, monitor=None)
        fit = build_lms_fit(cfg, inputs.data, inputs.w0, inputs.wiener, context.run_dir, checkpointing)
        return LMSTrained(fit, completed=context.fit(fit))

    def results(self, cfg: LMSOptions, inputs: LMSInputs, trained: LMSTrained) -> dict:
        return lms_results(cfg, inputs, trained.fit, trained.completed)

    def figures(self, results: dict, inputs: LMSInputs, trained: LMSTrained, sink: FigureSink) -> dict[str, FigureFile]:
        return lms_figures(sink, results, inputs.data)

    def report(self, results: dict, figures: dict[str, FigureFile], trained: LMSTrained) -> str:
        return render_lms_report(results, figures)

    def summary(self, run: Run) -> list[str]:
        return lms_summary(run.results)
