"""The embedded image dataset: scikit-learn's bundled handwritten digits, upscaled to 3 x 32 x 32.

1,797 real 8 x 8 grey-level scans (values 0..16) that ship inside scikit-learn, so classification works
offline. Each is scaled to 0..255, resized to 32 x 32 (bilinear) and repeated over 3 channels: the input
SimpleNN expects. Split (seeded) into 80 % train, 10 % validation, 10 % test.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from src.data.image_splits import ImageSplits, split_off

HELD_OUT_FRACTION = 0.1


def load_digits_splits(seed: int = 0, size: int = 32) -> ImageSplits:
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    digits = load_digits()
    grey = torch.tensor(digits.images, dtype=torch.float32)[:, None] / 16.0  # (1797, 1, 8, 8) in [0, 1]
    upscaled = F.interpolate(grey, size=(size, size), mode="bilinear", align_corners=False)
    images = (upscaled.clamp(0, 1) * 255).round().to(torch.uint8).repeat(1, 3, 1, 1)  # (1797, 3, 32, 32)
    labels = torch.tensor(digits.target, dtype=torch.int64)
    held = round(HELD_OUT_FRACTION * len(labels))
    rest, test = split_off(images, labels, held, seed)
    train, val = split_off(*rest, held, seed + 1)
    return ImageSplits(
        name="digits",
        source="sklearn.datasets.load_digits (bundled with scikit-learn)",
        classes=tuple(str(d) for d in range(10)),
        train=train,
        val=val,
        test=test,
    )
