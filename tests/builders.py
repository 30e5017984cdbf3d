"""Project objects built with the options' own defaults (src/config), as the commands build them on a CPU."""

from __future__ import annotations

from src.config import Machine
from src.data import ImageDataModule, ImageSplits
from src.experiments.classify.config import ClassifyConfig
from src.modules import ImageClassifier

DEFAULTS = ClassifyConfig().resolved(Machine())


def classifier(model=None, cls: type[ImageClassifier] = ImageClassifier, **changes) -> ImageClassifier:
    options = dict(
        num_classes=10,
        input_shape=(3, 32, 32),
        optimizer=DEFAULTS.optimizer,
        lr=DEFAULTS.lr,
        momentum=DEFAULTS.momentum,
        weight_decay=DEFAULTS.weight_decay,
        lr_decay=DEFAULTS.lr_decay,
        max_epochs=DEFAULTS.epochs,
        channels_last=DEFAULTS.channels_last,
        compile=DEFAULTS.compile,
    )
    return cls(model, **{**options, **changes})


def datamodule(splits: ImageSplits, **changes) -> ImageDataModule:
    options = dict(
        batch_size=DEFAULTS.batch_size,
        num_workers=DEFAULTS.num_workers,
        augment=DEFAULTS.augment,
        seed=DEFAULTS.seed,
        on_device=False,
    )
    return ImageDataModule(splits, **{**options, **changes})
