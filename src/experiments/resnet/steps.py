"""The resnet experiment's steps: train with the paper's recipe, test the best epoch, per-class results."""

from __future__ import annotations

from dataclasses import dataclass

from src.analysis import LayerTable, layer_summary
from src.data import ImageSplits, load_image_splits
from src.experiments.confusion import confusion_figure, confusion_markdown, confusion_results
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.image_batch import warn_clipped_batch
from src.experiments.machine import detect_machine
from src.experiments.resnet.analysis import course_target, paper_reference, timing
from src.experiments.resnet.config import ResNetConfig, training_length
from src.experiments.resnet.figures import resnet_curves_figure
from src.experiments.resnet.fit import ResNetFit, build_resnet_fit
from src.experiments.resnet.report import render_resnet_report
from src.experiments.resnet.summary import resnet_summary
from src.experiments.run_context import RunContext
from src.experiments.scores import BestEpoch, TestScore, optional_json
from src.experiments.steps import Run, Steps
from src.experiments.trainer_factory import device_count


@dataclass(frozen=True)
class Trained:
    fit: ResNetFit
    tested: dict | None  # test/loss and test/acc of the best epoch; None while interrupted
    confusion: list[list[int]] | None
    table: LayerTable


class ResNetSteps(Steps[ResNetConfig, ImageSplits, Trained]):
    def prepare(self, cfg: ResNetConfig) -> ImageSplits:
        splits = load_image_splits(cfg.data_dir, cfg.seed)
        world = device_count(cfg, detect_machine()) * cfg.num_nodes
        training_length(cfg, len(splits.train[1]), world)  # milestones past the end of --epochs fail before the run
        warn_clipped_batch(cfg, splits)
        return splits

    def train(self, cfg: ResNetConfig, splits: ImageSplits, context: RunContext) -> Trained:
        checkpointing = context.checkpoint_callbacks(every_n_epochs=1, monitor="val/acc")
        fit = build_resnet_fit(cfg, splits, context.run_dir, context.machine, checkpointing)
        tested, confusion = None, None
        if context.fit(fit):  # the epoch with the best val/acc is the trained model: test it
            tested = fit.test_best()
            confusion = fit.module.confusion.tolist()
        table = fit.summary.table or layer_summary(fit.module.model, fit.module.example_input_array)
        return Trained(fit, tested, confusion, table)

    def results(self, cfg: ResNetConfig, splits: ImageSplits, trained: Trained) -> dict:
        history = trained.fit.history.history
        tested, schedule = trained.tested, trained.fit.schedule
        data = splits.describe()
        test = None
        if tested is not None:
            test = TestScore.of_metrics(tested, confusion_results(trained.confusion, splits.classes))
        timer = trained.fit.timer
        return {
            "data": data,
            "model": {
                "name": "ResNetCifar",
                "depth": cfg.depth,
                "shortcut": cfg.shortcut,
                "params": trained.table.total_params,
                "macs": trained.table.total_macs,
            },
            **trained.table.as_dict(),
            "schedule": schedule,
            "history": history,
            "epoch_seconds": {str(epoch): s for epoch, s in sorted(timer.seconds.items())},
            "timing": timing(timer.seconds, timer.train_seconds, schedule, len(splits.train[1])),
            "best_val": optional_json(BestEpoch.of_history(history)),
            "test": optional_json(test),
            "paper": paper_reference(cfg.depth, schedule["iterations"]),
            "course_target": course_target(history, data["name"], schedule),
            "config": {
                "device": str(trained.fit.trainer.strategy.root_device),
                "batch_size_used": trained.fit.datamodule.train_batch_size,
                "normalization": trained.fit.module.spec.normalization,
            },
        }

    def figures(self, results: dict, splits: ImageSplits, trained: Trained, sink: FigureSink) -> dict[str, FigureFile]:
        figures = {}
        if results["history"]:
            curves = resnet_curves_figure(results)
            figures["learning_curves"] = sink.save(curves, "learning_curves", "loss and accuracy per epoch")
        test = TestScore.of(results)
        if test is not None:
            confusion, classes = test.confusion, results["data"]["classes"]
            title = f"test set, best epoch ({BestEpoch.of(results).epoch})"
            figure = confusion_figure(confusion, classes, title)
            figures["confusion"] = sink.save(figure, "confusion_matrix", "confusion matrix of the test set")
            sink.text("test/confusion_matrix", confusion_markdown(confusion, classes))
        return figures

    def report(self, results: dict, figures: dict[str, FigureFile], trained: Trained) -> str:
        return render_resnet_report(results, trained.table, figures)

    def summary(self, run: Run) -> list[str]:
        model = run.results["model"]
        name = f"ResNet-{model['depth']} (option {model['shortcut']})"
        return [run.trained.table.grouped(1).console_block(name), resnet_summary(run.results)]
