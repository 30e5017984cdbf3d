"""load_image_splits: the images an image experiment asked for by name: 'embedded' or a CIFAR-10 folder."""

from __future__ import annotations

import functools

from src.data.cifar10 import read_cifar10
from src.data.digits import load_digits_splits
from src.data.image_splits import ImageSplits

EMBEDDED = "embedded"


@functools.lru_cache(maxsize=1)
def load_image_splits(data_dir: str, seed: int) -> ImageSplits:
    """CIFAR-10 from `data_dir`, or scikit-learn's digits for 'embedded'. The last result is kept, so the parts
    of a study read a dataset once (ImageSplits is never modified in place)."""
    return load_digits_splits(seed) if data_dir == EMBEDDED else read_cifar10(data_dir, seed)
