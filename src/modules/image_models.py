"""The image models a checkpoint can name, so that `predict` rebuilds exactly the network a run trained."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
