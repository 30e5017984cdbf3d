"""The tiny experiment's steps: SimpleNN on the images; results, figures, report and summary are the defaults."""

from __future__ import annotations

from src.data import ImageSplits, load_image_splits
from src.experiments.classify.fit import build_classification_fit
from src.experiments.fit import Fit
from src.experiments.run_context import RunContext
from src.experiments.steps import Steps
from tiny_experiment.config import TinyConfig


class TinySteps(Steps[TinyConfig, ImageSplits, Fit]):
    def prepare(self, cfg: TinyConfig) -> ImageSplits:
        return load_image_splits(cfg.data_dir, cfg.seed)

    def train(self, cfg: TinyConfig, splits: ImageSplits, context: RunContext) -> Fit:
        fit = build_classification_fit(cfg, splits, context.run_dir, context.machine, monitoring=False)
        context.fit(fit)
        return fit
