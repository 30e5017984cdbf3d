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
    origin: dict | None = None  # the archive or Hub files it came from (name, md5 ...), when fetched or extracted

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.train[0].shape[1:])

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train[1]), "val": len(self.val[1]), "test": len(self.test[1])}

    def describe(self) -> dict:
        """The `data` section of an image experiment's results.json."""
        return {
            "name": self.name,
            "source": self.source,
            "classes": list(self.classes),
            "sizes": self.sizes(),
            "image_shape": list(self.image_shape),
            **({"origin": self.origin} if self.origin else {}),
        }


def channel_statistics(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and standard deviation (n - 1 in the denominator) of uint8 images (N, C, H, W), as
    pixel values / 255, in float32. Computed exactly from each channel's histogram of the 256 pixel values:
    memory stays at one byte per pixel (a float64 copy of CIFAR-10's training set would take 1.1 GB)."""
    means, stds = [], []
    values = torch.arange(256, dtype=torch.float64)
    for channel in range(images.shape[1]):
        counts = torch.bincount(images[:, channel].reshape(-1), minlength=256).to(torch.float64)  # (256,)
        n = float(counts.sum())
        mean = float((counts * values).sum()) / n
        variance = float((counts * (values - mean) ** 2).sum()) / (n - 1)
        means.append(mean / 255.0)
        stds.append(max(variance**0.5 / 255.0, 1e-6))
    return torch.tensor(means, dtype=torch.float32), torch.tensor(stds, dtype=torch.float32)


def split_off(
    images: torch.Tensor, labels: torch.Tensor, count: int, seed: int
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """A seeded random split: (the rest, `count` held-out samples). The same seed gives the same split."""
    order = torch.from_numpy(np.random.Generator(np.random.PCG64(seed)).permutation(len(labels)))
    held, rest = order[:count], order[count:]
    return (images[rest], labels[rest]), (images[held], labels[held])
