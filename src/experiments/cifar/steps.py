"""The cifar experiment's steps: the course's run and its step-decay twin side by side, then the lab's answers."""

from __future__ import annotations

from src.data import ImageSplits, load_image_splits
from src.experiments.cifar.analysis import course_target, initial_loss
from src.experiments.cifar.config import CifarConfig
from src.experiments.cifar.figures import cifar_curves_figure
from src.experiments.cifar.report import render_cifar_report
from src.experiments.cifar.summary import cifar_summary
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.grid import Variant
from src.experiments.grid.train import GridRun, grid_results, train_grid
from src.experiments.image_batch import warn_clipped_batch
from src.experiments.run_context import RunContext
from src.experiments.steps import Run, Steps


def cifar_variants(cfg: CifarConfig) -> tuple[Variant, Variant]:
    """The course's recipe with a constant rate, and the same with step decay (the bonus)."""
    constant = Variant(lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    decayed = Variant(
        lr=cfg.lr,
        momentum=cfg.momentum,
        weight_decay=cfg.weight_decay,
        decay_every=cfg.decay_every,
        decay_factor=cfg.decay_factor,
    )
    return constant, decayed


class CifarSteps(Steps[CifarConfig, ImageSplits, GridRun]):
    def prepare(self, cfg: CifarConfig) -> ImageSplits:
        splits = load_image_splits(cfg.data_dir, cfg.seed)
        warn_clipped_batch(cfg, splits)
        return splits

    def train(self, cfg: CifarConfig, splits: ImageSplits, context: RunContext) -> GridRun:
        return train_grid(cfg, splits, cifar_variants(cfg), context)

    def results(self, cfg: CifarConfig, splits: ImageSplits, trained: GridRun) -> dict:
        shared = grid_results(trained)
        constant_name, decay_name = (variant.name for variant in cifar_variants(cfg))
        # An interrupted run may lack the decay run (--side-by-side off), or both.
        constant = next((v for v in shared["variants"] if v["name"] == constant_name), None)
        data = splits.describe()
        return {
            "data": data,
            "model": {"name": "SimpleNNCifar", "batch_norm": False, "activation": "relu"},
            **trained.tables["relu"].as_dict(),
            **shared,
            "roles": {"constant": constant_name, "decay": decay_name},
            "initial_loss": None if constant is None else initial_loss(constant, len(splits.classes)),
            "course_target": None if constant is None else course_target(constant, data["name"]),
        }

    def figures(self, results: dict, splits: ImageSplits, trained: GridRun, sink: FigureSink) -> dict[str, FigureFile]:
        if not results["variants"]:  # interrupted before training
            return {}
        figure = cifar_curves_figure(results)
        return {"learning_curves": sink.save(figure, "learning_curves", "loss and accuracy per epoch")}

    def report(self, results: dict, figures: dict[str, FigureFile], trained: GridRun) -> str:
        return render_cifar_report(results, trained.tables["relu"], figures)

    def summary(self, run: Run) -> list[str]:
        return [run.trained.tables["relu"].console_block("SimpleNNCifar"), cifar_summary(run.results)]
