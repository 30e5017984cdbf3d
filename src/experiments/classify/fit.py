"""The Lightning fit of an image classifier: DataModule, ImageClassifier, observers and Trainer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytorch_lightning.callbacks import Callback
from torch import nn

from src.callbacks import EpochHistory, Histograms, LayerSummary
from src.config import ImageRun, Machine
from src.data import ImageDataModule, ImageSplits
from src.experiments.fit import Fit
from src.experiments.trainer_factory import image_trainer
from src.modules import ClassifierRecipe, ImageClassifier, ImageModelSpec


@dataclass(frozen=True)
class ClassificationFit(Fit):
    history: EpochHistory
    summary: LayerSummary | None


def build_classifier(
    cfg: ImageRun,
    num_classes: int,
    input_shape: tuple[int, ...],
    model: nn.Module | None = None,
    module_type: type[ImageClassifier] = ImageClassifier,
    *,
    classes: tuple[str, ...] | None = None,
    normalization: dict | None = None,
) -> ImageClassifier:
    """The LightningModule of a classification fit, trained as `cfg` says (SimpleNN unless `model` is given);
    `classes` and `normalization` go into its checkpoints, for `predict`."""
    spec = ImageModelSpec(num_classes, input_shape, classes=classes, normalization=normalization)
    return module_type(
        model, spec=spec, recipe=classifier_recipe(cfg), channels_last=cfg.channels_last, compile=cfg.compile
    )


def classifier_recipe(cfg: ImageRun) -> ClassifierRecipe:
    """The options' optimizer and schedule in epochs."""
    return ClassifierRecipe(cfg.optimizer, cfg.lr, cfg.momentum, cfg.weight_decay, cfg.lr_decay, max_epochs=cfg.epochs)


def build_classification_fit(
    cfg: ImageRun,
    splits: ImageSplits,
    log_dir: Path,
    machine: Machine,
    model: nn.Module | None = None,
    *,
    summary: bool = True,
    monitoring: bool = True,
    checkpointing: Sequence[Callback] = (),
    progress_label: str | None = None,
) -> ClassificationFit:
    """ImageClassifier (SimpleNN without its final ReLU unless `model` is given) with the EpochHistory callback,
    with `monitoring` the Histograms and (if `summary`) LayerSummary callbacks, the `checkpointing` callbacks,
    and a Trainer logging to log_dir."""
    datamodule = ImageDataModule(splits, cfg.batch_size, cfg.num_workers, cfg.augment, cfg.seed, on_device=True)
    normalization = {"mean": datamodule.mean.tolist(), "std": datamodule.std.tolist()}
    module = build_classifier(
        cfg, len(splits.classes), splits.image_shape, model, classes=tuple(splits.classes), normalization=normalization
    )
    history = EpochHistory()
    layer_summary = LayerSummary() if summary and monitoring else None
    callbacks: list[Callback] = [history]
    if monitoring:
        callbacks.append(Histograms(cfg.weight_every, cfg.grad_every))
    callbacks += [layer_summary] if layer_summary else []
    callbacks += list(checkpointing)
    trainer = image_trainer(
        cfg,
        machine,
        log_dir,
        max_epochs=cfg.epochs,
        callbacks=callbacks,
        progress_label=progress_label,
        enable_checkpointing=bool(checkpointing),
    )
    return ClassificationFit(trainer, module, datamodule, history, layer_summary)
