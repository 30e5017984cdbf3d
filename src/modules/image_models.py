"""The image models a checkpoint can name, so that `predict` rebuilds exactly the network a run trained."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from torch import nn

from src.modules.resnet import ResNetCifar
from src.modules.simple_nn import SimpleNN
from src.modules.simple_nn_cifar import SimpleNNCifar

IMAGE_MODELS: dict[str, Callable[..., nn.Module]] = {
    "SimpleNN": SimpleNN,
    "SimpleNNCifar": SimpleNNCifar,
    "ResNetCifar": ResNetCifar,
}


def build_image_model(name: str, options: Mapping[str, Any]) -> nn.Module:
    """The model class `name` built with keyword `options` (as a checkpoint stores them)."""
    if name not in IMAGE_MODELS:
        raise ValueError(f"unknown image model {name!r}; known: {', '.join(IMAGE_MODELS)}")
    return IMAGE_MODELS[name](**options)


@dataclass(frozen=True)
class ImageModelSpec:
    """What an image classifier is, apart from how it trains: the network (`model_name` built with
    `model_options`; None: SimpleNN without its final ReLU, or an nn.Module given in code), its input and
    classes, and the normalisation its inputs need. Saved flat in the module's hyperparameters, so that a
    checkpoint alone rebuilds the network and its preprocessing (`predict`)."""

    num_classes: int
    input_shape: tuple[int, ...]  # (C, H, W)
    model_name: str | None = None
    model_options: dict | None = None
    classes: tuple[str, ...] | None = None
    normalization: dict | None = None  # {"mean": [...], "std": [...]} per channel, of pixel values / 255

    def as_hparams(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    @classmethod
    def from_hparams(cls, hparams: Mapping[str, Any]) -> ImageModelSpec:
        return cls(**{field.name: hparams[field.name] for field in dataclasses.fields(cls)})
