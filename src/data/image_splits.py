"""ImageSplits: train/val/test images as uint8 tensors (N, C, H, W) with int64 labels, ready for a DataModule."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class ImageSplits:
    name: str  # "digits" or "cifar10"
    source: str  # where the images came from (a path or a package)
    classes: tuple[str, ...]
    train: tuple[torch.Tensor, torch.Tensor]  # (N, C, H, W) uint8, (N,) int64
    val: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.train[0].shape[1:])

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train[1]), "val": len(self.val[1]), "test": len(self.test[1])}


def split_off(
    images: torch.Tensor, labels: torch.Tensor, count: int, seed: int
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """A seeded random split: (the rest, `count` held-out samples). The same seed gives the same split."""
    order = torch.from_numpy(np.random.Generator(np.random.PCG64(seed)).permutation(len(labels)))
    held, rest = order[:count], order[count:]
    return (images[rest], labels[rest]), (images[held], labels[held])
