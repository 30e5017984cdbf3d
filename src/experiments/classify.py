"""run_classify: SimpleNN as an image classifier (embedded digits or CIFAR-10), with summary and histograms."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
from torch import nn

from src.analysis import LayerTable, layer_summary
from src.callbacks import EpochHistory, Histograms, LayerSummary
from src.data import ImageDataModule, ImageSplits, load_digits_splits, read_cifar10
from src.experiments.classify_report import render_classify_report
from src.experiments.image_config import ImageConfig
from src.experiments.image_figures import learning_curves_figure, save_figure
from src.experiments.run_dir import run_directory
from src.experiments.trainer_factory import build_trainer
from src.modules import ImageClassifier


def load_image_splits(data_dir: Path | None, seed: int) -> ImageSplits:
    """CIFAR-10 from `data_dir`, or the embedded digits when no directory is given."""
    return load_digits_splits(seed) if data_dir is None else read_cifar10(data_dir, seed)


@dataclass(frozen=True)
class ClassificationFit:
    trainer: pl.Trainer
    module: ImageClassifier
    datamodule: ImageDataModule
    history: EpochHistory
    summary: LayerSummary | None

    def run(self) -> None:
        self.trainer.fit(self.module, datamodule=self.datamodule)


def prepare_classification_fit(
    cfg: ImageConfig,
    splits: ImageSplits,
    log_dir: Path,
    model: nn.Module | None = None,
    summary: bool = True,
    print_summary: bool = True,
    monitoring: bool = True,
) -> ClassificationFit:
    """DataModule, ImageClassifier (SimpleNN without its final ReLU unless `model` is given), the
    EpochHistory callback, with `monitoring` the Histograms and (if `summary`) LayerSummary callbacks, and a
    Trainer logging to log_dir."""
    datamodule = ImageDataModule(
        splits, cfg.batch_size, cfg.num_workers, cfg.augment, cfg.seed, on_device=cfg.data_on_device
    )
    module = ImageClassifier(
        model,
        num_classes=len(splits.classes),
        input_shape=splits.image_shape,
        optimizer=cfg.optimizer,
        lr=cfg.learning_rate,
        momentum=cfg.momentum,
        weight_decay=cfg.weight_decay,
        lr_decay=cfg.lr_decay,
        max_epochs=cfg.epochs,
        channels_last=cfg.channels_last,
        compile=cfg.compile,
    )
    history = EpochHistory()
    layer_summary = LayerSummary(print_table=print_summary) if summary and monitoring else None
    callbacks = [history]
    if monitoring:
        callbacks.append(Histograms(cfg.weight_every_n_epochs, cfg.grad_every_n_steps))
    callbacks += [layer_summary] if layer_summary else []
    trainer = build_trainer(
        log_dir,
        max_epochs=cfg.epochs,
        callbacks=callbacks,
        accelerator=cfg.accelerator,
        devices=int(cfg.devices) if cfg.devices != "auto" else "auto",
        precision=cfg.resolved_precision,
        progress_bar_refresh=5 if cfg.progress_bar else None,
        enable_checkpointing=False,
        strategy=cfg.strategy,
        num_nodes=cfg.num_nodes,
        benchmark=cfg.on_gpu,  # fixed input shapes: let cuDNN pick its fastest convolution algorithms
    )
    return ClassificationFit(trainer, module, datamodule, history, layer_summary)


def data_section(splits: ImageSplits) -> dict:
    return {
        "name": splits.name,
        "source": splits.source,
        "classes": list(splits.classes),
        "sizes": splits.sizes(),
        "image_shape": list(splits.image_shape),
    }


@dataclass(frozen=True)
class ImageRun:
    run_dir: Path
    results: dict
    table: LayerTable


def run_classify(cfg: ImageConfig, splits: ImageSplits | None = None) -> ImageRun:
    """Train, test, and write results.json, report.md and figures; `splits` saves re-reading the data."""
    cfg.validate()
    if splits is None:
        splits = load_image_splits(cfg.data_dir, cfg.seed)  # a broken data directory fails before the run dir
    with run_directory(cfg.logdir, cfg.experiment) as run_dir:
        started = time.time()
        pl.seed_everything(cfg.seed, workers=True, verbose=False)
        fit = prepare_classification_fit(cfg, splits, run_dir)
        fit.run()
        tested = fit.trainer.test(fit.module, datamodule=fit.datamodule, verbose=False)[0]
        best = max(fit.history.history, key=lambda row: row["val/acc"])
        # The callback tabulates on rank zero only; the other ranks of a DDP run compute it here (no writing).
        table = fit.summary.table or layer_summary(fit.module.model, fit.module.example_input_array)
        model = fit.module.model
        results = {
            "experiment": cfg.experiment,
            "data": data_section(splits),
            "model": {"name": type(model).__name__, "final_relu": getattr(model, "final_relu", None)},
            **table.as_dict(),
            "history": fit.history.history,
            "test": {"loss": tested["test/loss"], "acc": tested["test/acc"]},
            "best_val": {"epoch": best["epoch"], "acc": best["val/acc"]},
            "config": image_config_section(cfg, fit),
            "meta": {"run_dir": str(run_dir), "started": started, "elapsed_s": time.time() - started},
        }
        if fit.trainer.is_global_zero:  # in a DDP run the other ranks only train
            writer = fit.trainer.logger.experiment
            curves = learning_curves_figure(fit.history.history)
            figures = {"learning_curves": save_figure(curves, run_dir, "learning_curves", writer)}
            (run_dir / "results.json").write_text(json.dumps(results, indent=2, allow_nan=False) + "\n")
            (run_dir / "report.md").write_text(render_classify_report(results, table, figures))
            writer.close()
    return ImageRun(run_dir=run_dir, results=results, table=table)


def image_config_section(cfg: ImageConfig, fit: ClassificationFit) -> dict:
    return {
        "epochs": cfg.epochs,
        "batch_size": cfg.batch_size,
        "optimizer": cfg.optimizer,
        "lr": cfg.learning_rate,
        "momentum": cfg.momentum if cfg.optimizer == "sgd" else None,
        "weight_decay": cfg.weight_decay,
        "lr_decay": cfg.lr_decay,
        "augment": cfg.augment,
        "seed": cfg.seed,
        "precision": cfg.resolved_precision,
        "channels_last": cfg.channels_last,
        "device": str(fit.trainer.strategy.root_device),
        "normalization": {"mean": fit.datamodule.mean.tolist(), "std": fit.datamodule.std.tolist()},
    }
