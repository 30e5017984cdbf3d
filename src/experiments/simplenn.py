"""run_simplenn: the course's SimpleNN analysed: Table 2, weight/gradient histograms, the zero-init study."""

from __future__ import annotations

import dataclasses
import time

import pytorch_lightning as pl
import torch
from torch.utils.tensorboard import SummaryWriter

from src.analysis import layer_summary
from src.analysis.zero_init import InitPass, zero_init_study
from src.atomic import write_results
from src.callbacks.histograms import add_histogram_safely, histogram_tag
from src.callbacks.layer_summary_callback import publish_layer_table
from src.data import ImageSplits
from src.experiments.classify import ImageRun, data_section, load_image_splits, prepare_classification_fit
from src.experiments.distributed import is_rank_zero
from src.experiments.image_config import ImageConfig
from src.experiments.image_figures import gradient_norms_figure, init_comparison_figure, save_figure
from src.experiments.run_dir import run_directory
from src.experiments.simplenn_report import render_simplenn_report
from src.modules import SimpleNN, zero_weights_

STUDY_BATCH = 8  # random inputs for the one-pass study
INIT_RUNS = ("default_init", "zero_init")  # TensorBoard sub-runs that overlay


def run_simplenn(cfg: ImageConfig, splits: ImageSplits | None = None) -> ImageRun:
    """Table 2 of SimpleNN, the zero-init study (a)-(c), and the classifier trained from both inits."""
    cfg.validate()
    if splits is None:
        splits = load_image_splits(cfg.data_dir, cfg.seed)
    with run_directory(cfg.logdir, cfg.experiment) as run_dir:
        started = time.time()
        pl.seed_everything(cfg.seed, workers=True, verbose=False)
        model = SimpleNN()  # Table 1, with the final ReLU
        table = layer_summary(model, torch.zeros(1, 3, 32, 32))

        generator = torch.Generator().manual_seed(cfg.seed)
        inputs = torch.randn(STUDY_BATCH, 3, 32, 32, generator=generator)
        target = torch.randn(STUDY_BATCH, 10, generator=generator)
        study = zero_init_study(model, inputs, target)

        rank_zero = is_rank_zero()  # in a DDP run the other ranks only take part in the training
        writers = {name: SummaryWriter(str(run_dir / name)) for name in INIT_RUNS} if rank_zero else {}
        if rank_zero:
            publish_layer_table(table, writers["default_init"], run_dir)
            for name, one_pass in zip(INIT_RUNS, (study.default, study.zero), strict=True):
                write_pass_histograms(writers[name], one_pass)

        # The same classifier (SimpleNN without its final ReLU), trained from both initialisations.
        histories = {}
        for name in INIT_RUNS:
            pl.seed_everything(cfg.seed, workers=True, verbose=False)
            classifier = SimpleNN(len(splits.classes), final_relu=False)
            if name == "zero_init":
                zero_weights_(classifier)
            init_cfg = dataclasses.replace(cfg, experiment=name)
            log_dir = run_dir / f"train_{name}"
            fit = prepare_classification_fit(init_cfg, splits, log_dir, classifier, summary=False, checkpoints=False)
            fit.run()
            histories[name] = fit.history.history
            if name == "zero_init":  # measured, not assumed: which weights training never moved off zero
                still_zero = {
                    layer: bool((module.weight == 0).all())
                    for layer, module in classifier.named_modules()
                    if hasattr(module, "weight") and isinstance(module.weight, torch.Tensor)
                }

        chance = float(torch.bincount(splits.val[1].cpu()).max()) / len(splits.val[1])
        figures = {}
        if rank_zero:
            writer = writers["default_init"]
            comparison = init_comparison_figure(
                {"default init": histories["default_init"], "all weights zero": histories["zero_init"]}, chance
            )
            figures = {
                "gradient_norms": save_figure(gradient_norms_figure(study), run_dir, "gradient_norms", writer),
                "init_comparison": save_figure(comparison, run_dir, "init_comparison", writer),
            }
            for w in writers.values():
                w.close()
        results = {
            "experiment": cfg.experiment,
            "model": {"name": "SimpleNN", "final_relu": True, "input_shape": [1, 3, 32, 32]},
            **table.as_dict(),
            "zero_init": {
                "study_input": {"batch": STUDY_BATCH, "loss": "mse", "seed": cfg.seed},
                **study.as_dict(),
            },
            "training": {
                "data": data_section(splits),
                "epochs": cfg.epochs,
                "chance_accuracy": chance,
                "default_init": histories["default_init"],
                "zero_init": histories["zero_init"],
                "zero_init_weights_still_zero": still_zero,
            },
            "config": {
                "optimizer": cfg.optimizer,
                "lr": cfg.learning_rate,
                "batch_size": cfg.batch_size,
                "seed": cfg.seed,
            },
            "meta": {"run_dir": str(run_dir), "started": started, "elapsed_s": time.time() - started},
        }
        if rank_zero:
            write_results(run_dir, results, render_simplenn_report(results, table, study, figures))
    return ImageRun(run_dir=run_dir, results=results, table=table)


def write_pass_histograms(writer: SummaryWriter, one_pass: InitPass) -> None:
    """(a)/(c) weights/<layer> and (b)/(c) grads/<layer> of one study pass, at step 0 of its sub-run."""
    reported: set[str] = set()
    for name, values in one_pass.weights.items():
        add_histogram_safely(writer, "weights/" + histogram_tag(name), values, 0, reported)
    for name, values in one_pass.gradients.items():
        add_histogram_safely(writer, "grads/" + histogram_tag(name), values, 0, reported)
