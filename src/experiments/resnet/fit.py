"""The Lightning fit of a ResNet: the paper's SGD recipe with milestones in iterations, on ImageClassifier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytorch_lightning.callbacks import Callback

from src.callbacks import EpochHistory, Histograms, LayerSummary
from src.callbacks.epoch_timer import EpochTimer
from src.config import Machine
from src.data import ImageDataModule, ImageSplits
from src.experiments.fit import Fit
from src.experiments.resnet.config import ResNetConfig, training_length
from src.experiments.trainer_factory import device_count, image_trainer
from src.modules import ClassifierRecipe, ImageClassifier, ImageModelSpec


@dataclass(frozen=True)
class ResNetFit(Fit):
    history: EpochHistory
    timer: EpochTimer
    summary: LayerSummary
    schedule: dict  # training_length(): iterations, steps per epoch, epochs, milestones, warm-up


def model_options(cfg: ResNetConfig, splits: ImageSplits) -> dict:
    return {
        "depth": cfg.depth,
        "shortcut": cfg.shortcut,
        "num_classes": len(splits.classes),
        "in_channels": splits.image_shape[0],
    }


def build_resnet_module(cfg: ResNetConfig, splits: ImageSplits, schedule: dict, normalization: dict) -> ImageClassifier:
    spec = ImageModelSpec(
        num_classes=len(splits.classes),
        input_shape=splits.image_shape,
        model_name="ResNetCifar",
        model_options=model_options(cfg, splits),
        classes=tuple(splits.classes),
        normalization=normalization,
    )
    recipe = ClassifierRecipe(  # the paper's: SGD with plain momentum, x0.1 at milestones counted in iterations
        optimizer="sgd",
        lr=cfg.lr,
        momentum=cfg.momentum,
        weight_decay=cfg.weight_decay,
        lr_decay="milestones",
        max_epochs=schedule["epochs"],
        nesterov=False,
        milestones=tuple(schedule["milestones"]),
        warmup_steps=schedule["warmup_iterations"],
        max_steps=schedule["iterations"],
    )
    return ImageClassifier(spec=spec, recipe=recipe, channels_last=cfg.channels_last, compile=cfg.compile == "on")


def build_resnet_fit(
    cfg: ResNetConfig,
    splits: ImageSplits,
    log_dir: Path,
    machine: Machine,
    checkpointing: Sequence[Callback] = (),
) -> ResNetFit:
    """ImageClassifier(ResNetCifar) with history, epoch times, histograms, the layer summary and `checkpointing`,
    and a Trainer that stops after the schedule's iterations (validating the last, partial epoch)."""
    datamodule = ImageDataModule(
        splits,
        cfg.batch_size,
        cfg.num_workers,
        cfg.augment,
        cfg.seed,
        on_device=True,
        eval_batch_size=cfg.eval_batch_size,
    )
    world = device_count(cfg, machine) * cfg.num_nodes
    schedule = training_length(cfg, len(splits.train[1]), world)
    normalization = {"mean": datamodule.mean.tolist(), "std": datamodule.std.tolist()}
    module = build_resnet_module(cfg, splits, schedule, normalization)
    history, timer, summary = EpochHistory(), EpochTimer(), LayerSummary()
    callbacks = [history, timer, Histograms(cfg.weight_every, cfg.grad_every), summary, *checkpointing]
    trainer = image_trainer(
        cfg,
        machine,
        log_dir,
        max_epochs=schedule["epochs"],
        callbacks=callbacks,
        enable_checkpointing=bool(checkpointing),
    )
    return ResNetFit(trainer, module, datamodule, history, timer, summary, schedule)
