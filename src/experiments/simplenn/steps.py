"""The SimpleNN analysis: Table 2, weight/gradient histograms, the zero-init study, and the classifier trained
from the default and from an all-zero initialisation."""

from __future__ import annotations

from dataclasses import dataclass

import pytorch_lightning as pl
import torch
from torch.utils.tensorboard import SummaryWriter

from src.analysis import LayerTable, layer_summary
from src.analysis.zero_init import InitPass, ZeroInitStudy, zero_init_study
from src.callbacks.histograms import add_histogram_safely, histogram_tag
from src.callbacks.layer_summary_callback import publish_layer_table
from src.data import ImageSplits, load_image_splits
from src.experiments.classify.fit import build_classification_fit
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.image_batch import warn_clipped_batch
from src.experiments.ranks import is_rank_zero
from src.experiments.run_context import RunContext
from src.experiments.simplenn.config import SimpleNNConfig
from src.experiments.simplenn.figures import gradient_norms_figure, init_comparison_figure
from src.experiments.simplenn.report import render_simplenn_report
from src.experiments.steps import Run, Steps
from src.modules import SimpleNN, zero_weights_

STUDY_BATCH = 8  # random inputs for the one-pass study
INIT_RUNS = ("default_init", "zero_init")  # TensorBoard sub-runs that overlay


@dataclass(frozen=True)
class Analysed:
    table: LayerTable
    study: ZeroInitStudy
    histories: dict[str, list[dict]]
    still_zero: dict[str, bool]  # zero init: which layers' weights training never moved off zero
    chance: float  # accuracy of always answering the largest validation class


class SimpleNNSteps(Steps[SimpleNNConfig, ImageSplits, Analysed]):
    def prepare(self, cfg: SimpleNNConfig) -> ImageSplits:
        splits = load_image_splits(cfg.data_dir, cfg.seed)
        warn_clipped_batch(cfg, splits)
        return splits

    def train(self, cfg: SimpleNNConfig, splits: ImageSplits, context: RunContext) -> Analysed:
        run_dir = context.run_dir
        model = SimpleNN()  # Table 1, with the final ReLU
        table = layer_summary(model, torch.zeros(1, 3, 32, 32))
        generator = torch.Generator().manual_seed(cfg.seed)
        inputs = torch.randn(STUDY_BATCH, 3, 32, 32, generator=generator)
        target = torch.randn(STUDY_BATCH, 10, generator=generator)
        study = zero_init_study(model, inputs, target)
        if is_rank_zero():  # in a DDP run the other ranks only take part in the training
            for name, one_pass in zip(INIT_RUNS, (study.default, study.zero), strict=True):
                writer = SummaryWriter(str(run_dir / name))
                if name == "default_init":
                    publish_layer_table(table, writer, run_dir)
                write_pass_histograms(writer, one_pass)
                writer.close()

        # The same classifier (SimpleNN without its final ReLU), trained from both initialisations.
        histories, still_zero = {}, {}
        for name in INIT_RUNS:
            pl.seed_everything(cfg.seed, workers=True, verbose=False)
            classifier = SimpleNN(len(splits.classes), final_relu=False)
            if name == "zero_init":
                zero_weights_(classifier)
            label = name.replace("_", " ")
            fit = build_classification_fit(
                cfg, splits, run_dir / f"train_{name}", context.machine, classifier, summary=False, progress_label=label
            )
            context.fit(fit)
            histories[name] = fit.history.history
            if name == "zero_init":  # measured, not assumed
                still_zero = {
                    layer: bool((module.weight == 0).all())
                    for layer, module in classifier.named_modules()
                    if hasattr(module, "weight") and isinstance(module.weight, torch.Tensor)
                }
        chance = float(torch.bincount(splits.val[1].cpu()).max()) / len(splits.val[1])
        return Analysed(table, study, histories, still_zero, chance)

    def results(self, cfg: SimpleNNConfig, splits: ImageSplits, analysed: Analysed) -> dict:
        return {
            "model": {"name": "SimpleNN", "final_relu": True, "input_shape": [1, 3, 32, 32]},
            **analysed.table.as_dict(),
            "zero_init": {
                "study_input": {"batch": STUDY_BATCH, "loss": "mse", "seed": cfg.seed},
                **analysed.study.as_dict(),
            },
            "training": {
                "data": splits.describe(),
                "epochs": cfg.epochs,
                "chance_accuracy": analysed.chance,
                "default_init": analysed.histories["default_init"],
                "zero_init": analysed.histories["zero_init"],
                "zero_init_weights_still_zero": analysed.still_zero,
            },
        }

    def figures(
        self, results: dict, splits: ImageSplits, analysed: Analysed, sink: FigureSink
    ) -> dict[str, FigureFile]:
        histories = {
            "default init": analysed.histories["default_init"],
            "all weights zero": analysed.histories["zero_init"],
        }
        return {
            "gradient_norms": sink.save(gradient_norms_figure(analysed.study), "gradient_norms"),
            "init_comparison": sink.save(init_comparison_figure(histories, analysed.chance), "init_comparison"),
        }

    def report(self, results: dict, figures: dict[str, FigureFile], analysed: Analysed) -> str:
        return render_simplenn_report(results, analysed.table, analysed.study, figures)

    def summary(self, run: Run) -> list[str]:
        results, analysed = run.results, run.trained
        zero, training = results["zero_init"], results["training"]
        reasons = "\n".join(f"  {layer}: {reason}" for layer, reason in zero["why"].items())
        final = {name: training[name][-1]["val/acc"] for name in INIT_RUNS}
        return [
            analysed.table.console_block("SimpleNN"),
            f"zero init: gradients vanish exactly in {', '.join(zero['vanishing_layers']) or 'no layer'}\n{reasons}",
            f"trained {training['epochs']} epochs on {training['data']['name']}: val acc {final['default_init']:.1%} "
            f"from default init, {final['zero_init']:.1%} from zero weights",
        ]


def write_pass_histograms(writer: SummaryWriter, one_pass: InitPass) -> None:
    """(a)/(c) weights/<layer> and (b)/(c) grads/<layer> of one study pass, at step 0 of its sub-run."""
    reported: set[str] = set()
    for name, values in one_pass.weights.items():
        add_histogram_safely(writer, "weights/" + histogram_tag(name), values, 0, reported)
    for name, values in one_pass.gradients.items():
        add_histogram_safely(writer, "grads/" + histogram_tag(name), values, 0, reported)
