"""The pipeline experiment's steps: every selected study's variants (each once), then tables and findings."""

from __future__ import annotations

from src.data import ImageSplits, load_image_splits
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.grid.train import GridRun, grid_results, train_grid
from src.experiments.image_batch import warn_clipped_batch
from src.experiments.pipeline.config import PipelineConfig
from src.experiments.pipeline.figures import pipeline_figures
from src.experiments.pipeline.report import render_pipeline_report
from src.experiments.pipeline.studies import distinct_variants, pipeline_studies
from src.experiments.pipeline.summary import pipeline_summary
from src.experiments.run_context import RunContext
from src.experiments.steps import Run, Steps


class PipelineSteps(Steps[PipelineConfig, ImageSplits, GridRun]):
    def prepare(self, cfg: PipelineConfig) -> ImageSplits:
        splits = load_image_splits(cfg.data_dir, cfg.seed)
        warn_clipped_batch(cfg, splits)
        return splits

    def train(self, cfg: PipelineConfig, splits: ImageSplits, context: RunContext) -> GridRun:
        return train_grid(cfg, splits, distinct_variants(pipeline_studies(cfg)), context)

    def results(self, cfg: PipelineConfig, splits: ImageSplits, trained: GridRun) -> dict:
        studies = [
            {"key": s.key, "title": s.title, "question": s.question, "variants": [v.name for v in s.variants]}
            for s in pipeline_studies(cfg)
        ]
        return {
            "data": splits.describe(),
            "models": {architecture: table.as_dict() for architecture, table in trained.tables.items()},
            "studies": studies,
            **grid_results(trained),
        }

    def figures(self, results: dict, splits: ImageSplits, trained: GridRun, sink: FigureSink) -> dict[str, FigureFile]:
        return pipeline_figures(results, trained, sink)

    def report(self, results: dict, figures: dict[str, FigureFile], trained: GridRun) -> str:
        return render_pipeline_report(results, trained.tables, figures)

    def summary(self, run: Run) -> list[str]:
        return [pipeline_summary(run.results)]
