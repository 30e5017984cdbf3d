"""Project objects built with the options' own defaults (src/config), as the commands build them on a CPU."""

from __future__ import annotations

import dataclasses

from src.config import Machine
from src.data import ImageDataModule, ImageSplits
from src.experiments.classify.config import ClassifyConfig
from src.experiments.classify.fit import build_classifier
from src.modules import ImageClassifier

DEFAULTS = ClassifyConfig().resolved(Machine())


def classifier(model=None, cls: type[ImageClassifier] = ImageClassifier, **changes) -> ImageClassifier:
    """ImageClassifier as `classify` builds it, with option `changes` (e.g. lr_decay="none")."""
    return build_classifier(dataclasses.replace(DEFAULTS, **changes), 10, (3, 32, 32), model, cls)


def datamodule(splits: ImageSplits, **changes) -> ImageDataModule:
    options = dict(
        batch_size=DEFAULTS.batch_size,
        num_workers=DEFAULTS.num_workers,
        augment=DEFAULTS.augment,
        seed=DEFAULTS.seed,
        on_device=False,
    )
    return ImageDataModule(splits, **{**options, **changes})
