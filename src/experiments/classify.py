"""run_classify: SimpleNN as an image classifier (embedded digits or CIFAR-10), with summary and histograms."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
from torch import nn

from src.analysis import LayerTable, layer_summary
from src.atomic import write_results
from src.callbacks import EpochHistory, Histograms, LayerSummary
from src.data import ImageDataModule, ImageSplits, load_digits_splits, read_cifar10
from src.experiments.checkpoints import (
    checkpoint_callbacks,
    conclude,
    fit_or_interrupt,
    resolve_resume,
    run_meta,
    save_config,
)
from src.experiments.classify_report import render_classify_report
from src.experiments.distributed import is_rank_zero
from src.experiments.image_config import ImageConfig
from src.experiments.image_figures import learning_curves_figure, save_figure
from src.experiments.run_dir import run_directory
from src.experiments.trainer_factory import build_trainer
from src.modules import ImageClassifier

# What may differ from the saved options when a run is resumed: where and how visibly it runs, not what.
RESUMABLE_CHANGES = frozenset({"accelerator", "progress_bar", "num_workers", "deterministic"})


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

    def run(self, checkpoint: Path | None = None) -> None:
        self.trainer.fit(self.module, datamodule=self.datamodule, ckpt_path=checkpoint, weights_only=True)


def prepare_classification_fit(
    cfg: ImageConfig,
    splits: ImageSplits,
    log_dir: Path,
    model: nn.Module | None = None,
    summary: bool = True,
    print_summary: bool = True,
    monitoring: bool = True,
    checkpoints: bool = True,
) -> ClassificationFit:
    """DataModule, ImageClassifier (SimpleNN without its final ReLU unless `model` is given), the
    EpochHistory callback, with `monitoring` the Histograms and (if `summary`) LayerSummary callbacks, with
    `checkpoints` last/best/interrupted checkpoints under log_dir/checkpoints, and a Trainer logging to log_dir."""
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
    if checkpoints:
        callbacks += checkpoint_callbacks(log_dir, cfg.experiment, every_n_epochs=1, monitor="val/acc")
    trainer = build_trainer(
        log_dir,
        max_epochs=cfg.epochs,
        callbacks=callbacks,
        accelerator=cfg.accelerator,
        devices=int(cfg.devices) if cfg.devices != "auto" else "auto",
        precision=cfg.resolved_precision,
        progress_bar_refresh=5 if cfg.progress_bar else None,
        enable_checkpointing=checkpoints,
        deterministic=cfg.deterministic or None,
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
    """Train, test the best epoch, and write results.json, report.md and figures; `splits` saves re-reading
    the data. With `cfg.resume` the run continues in its directory from its checkpoint; SIGINT/SIGTERM save
    a checkpoint and the partial results, then raise RunInterrupted."""
    cfg, resume = resolve_resume(cfg, RESUMABLE_CHANGES)
    cfg.validate()
    if splits is None:
        splits = load_image_splits(cfg.data_dir, cfg.seed)  # a broken data directory fails before the run dir
    with run_directory(cfg.logdir, cfg.experiment, existing=resume.run_dir if resume else None) as run_dir:
        started = time.time()
        if resume is None and is_rank_zero():
            save_config(run_dir, cfg)
        pl.seed_everything(cfg.seed, workers=True, verbose=False)
        fit = prepare_classification_fit(cfg, splits, run_dir)
        stop = fit_or_interrupt(fit, resume)
        tested = None
        if stop is None:  # the epoch with the best val/acc, as the validation set is there to choose it
            tested = fit.trainer.test(
                fit.module, datamodule=fit.datamodule, ckpt_path="best", weights_only=True, verbose=False
            )[0]
        # The callback tabulates on rank zero only; the other ranks of a DDP run compute it here (no writing).
        table = fit.summary.table or layer_summary(fit.module.model, fit.module.example_input_array)
        history = fit.history.history
        best = max(history, key=lambda row: row["val/acc"]) if history else None
        model = fit.module.model
        results = {
            "experiment": cfg.experiment,
            "status": "completed" if stop is None else "interrupted",
            "data": data_section(splits),
            "model": {"name": type(model).__name__, "final_relu": getattr(model, "final_relu", None)},
            **table.as_dict(),
            "history": history,
            "test": None if tested is None else {"loss": tested["test/loss"], "acc": tested["test/acc"]},
            "best_val": None if best is None else {"epoch": best["epoch"], "acc": best["val/acc"]},
            "config": image_config_section(cfg, fit),
            "meta": run_meta(run_dir, started, resume, stop, fit.trainer),
        }
        if fit.trainer.is_global_zero:  # in a DDP run the other ranks only train
            writer = fit.trainer.logger.experiment
            figures = {}
            if history:
                curves = learning_curves_figure(history)
                figures["learning_curves"] = save_figure(curves, run_dir, "learning_curves", writer)
            write_results(run_dir, results, render_classify_report(results, table, figures))
            writer.close()
        conclude(cfg.experiment, run_dir, stop, fit.trainer)
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
