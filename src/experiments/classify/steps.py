"""The classify experiment's steps: train, test the best epoch, results, learning curves, report."""

from __future__ import annotations

from dataclasses import dataclass

from src.analysis import LayerTable, layer_summary
from src.data import ImageSplits, load_image_splits
from src.experiments.classify.config import ClassifyConfig
from src.experiments.classify.figures import learning_curves_figure
from src.experiments.classify.fit import ClassificationFit, build_classification_fit
from src.experiments.classify.report import render_classify_report
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.image_batch import warn_clipped_batch
from src.experiments.run_context import RunContext
from src.experiments.scores import BestEpoch, TestScore, optional_json
from src.experiments.steps import Run, Steps


@dataclass(frozen=True)
class Classified:
    fit: ClassificationFit
    tested: dict | None  # test/loss and test/acc of the best epoch; None while interrupted
    table: LayerTable


class ClassifySteps(Steps[ClassifyConfig, ImageSplits, Classified]):
    def prepare(self, cfg: ClassifyConfig) -> ImageSplits:
        splits = load_image_splits(cfg.data_dir, cfg.seed)
        warn_clipped_batch(cfg, splits)
        return splits

    def train(self, cfg: ClassifyConfig, splits: ImageSplits, context: RunContext) -> Classified:
        checkpointing = context.checkpoint_callbacks(every_n_epochs=1, monitor="val/acc")
        fit = build_classification_fit(cfg, splits, context.run_dir, context.machine, checkpointing=checkpointing)
        tested = None
        if context.fit(fit):  # test the epoch with the best val/acc, as the validation set is there to choose it
            tested = fit.test_best()
        # The callback tabulates on rank zero only; the other ranks of a DDP run compute it here (no writing).
        table = fit.summary.table or layer_summary(fit.module.model, fit.module.example_input_array)
        return Classified(fit, tested, table)

    def results(self, cfg: ClassifyConfig, splits: ImageSplits, trained: Classified) -> dict:
        history = trained.fit.history.history
        model, tested = trained.fit.module.model, trained.tested
        return {
            "data": splits.describe(),
            "model": {"name": type(model).__name__, "final_relu": getattr(model, "final_relu", None)},
            **trained.table.as_dict(),
            "history": history,
            "test": None if tested is None else TestScore.of_metrics(tested).to_json(),
            "best_val": optional_json(BestEpoch.of_history(history)),
            "config": {
                "device": str(trained.fit.trainer.strategy.root_device),
                "batch_size_used": trained.fit.datamodule.train_batch_size,
                "normalization": {
                    "mean": trained.fit.datamodule.mean.tolist(),
                    "std": trained.fit.datamodule.std.tolist(),
                },
            },
        }

    def figures(
        self, results: dict, splits: ImageSplits, trained: Classified, sink: FigureSink
    ) -> dict[str, FigureFile]:
        if not results["history"]:
            return {}
        return {"learning_curves": sink.save(learning_curves_figure(results["history"]), "learning_curves")}

    def report(self, results: dict, figures: dict[str, FigureFile], trained: Classified) -> str:
        return render_classify_report(results, trained.table, figures)

    def summary(self, run: Run) -> list[str]:
        results, test, best = run.results, TestScore.of(run.results), BestEpoch.of(run.results)
        headline = (
            f"{results['model']['name']} on {results['data']['name']}: test accuracy {test.acc:.2%}, "
            f"best validation accuracy {best.acc:.2%} (epoch {best.epoch})"
        )
        return [run.trained.table.console_block(results["model"]["name"]), headline]
