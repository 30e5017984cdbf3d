"""load_image_splits: the images an image experiment asked for by name: 'embedded', 'cifar10' (fetched into the
cache on first use), a CIFAR-10 archive or a CIFAR-10 folder."""

from __future__ import annotations

import dataclasses
import functools

from src.config.paths import CIFAR10
from src.data.cifar10 import read_cifar10
from src.data.digits import load_digits_splits
from src.data.downloads import locate
from src.data.image_splits import ImageSplits

EMBEDDED = "embedded"


@functools.lru_cache(maxsize=1)
def load_image_splits(data_dir: str, seed: int) -> ImageSplits:
    """CIFAR-10 from `data_dir`, or scikit-learn's digits for 'embedded'. The last result is kept, so the parts
    of a study read a dataset once (ImageSplits is never modified in place)."""
    if data_dir == EMBEDDED:
        return load_digits_splits(seed)
    located = locate(data_dir, CIFAR10)
    return dataclasses.replace(read_cifar10(located.path, seed), origin=located.origin)
