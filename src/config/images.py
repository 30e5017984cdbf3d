"""Option groups of the image experiments: which images, and how a classifier is trained on them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from src.config.checks import Adjustable, AtLeast, InRange, Metavar, NonNegative, Positive
from src.config.device import DeviceOptions
from src.config.options import Machine, Options
from src.config.paths import CIFAR10, check_image_folder

Optimizer = Literal["adam", "sgd"]
LRDecay = Literal["none", "cosine", "step"]
DEFAULT_LR = {"adam": 0.002, "sgd": 0.02}  # measured on the embedded digits: >= 93 % val acc in 10 epochs


@dataclass(frozen=True)
class ImageData(Options):
    """Images"""

    data_dir: Annotated[str, Metavar("DIR")] = "embedded"
    """'cifar10': CIFAR-10, fetched into the cache on first use (170 MB, checked against its md5); a CIFAR-10
    download: the archive (cifar-10-python.tar.gz) or the folder it extracts to (cifar-10-batches-py/ or
    cifar-10-batches-bin/, or the folder holding it); 'embedded' is scikit-learn's bundled handwritten digits,
    upscaled to 3 x 32 x 32"""

    def check(self) -> None:
        super().check()
        if self.data_dir not in ("embedded", CIFAR10):
            check_image_folder(Path(self.data_dir))


@dataclass(frozen=True)
class ImageTraining(ImageData):
    """Image classifier training"""

    epochs: Annotated[int, AtLeast(1)] = 10
    """training epochs"""
    batch_size: Annotated[int, AtLeast(1)] = 64
    """images per step"""
    optimizer: Optimizer = "adam"
    """adam, or sgd with momentum (Nesterov when momentum > 0)"""
    lr: Annotated[float | None, Positive()] = None
    """learning rate (default: 0.002 for adam, 0.02 for sgd)"""
    momentum: Annotated[float, InRange(0, 1, "[0, 1)", open_high=True)] = 0.9
    """SGD momentum"""
    weight_decay: Annotated[float, NonNegative()] = 5e-4
    """L2 weight decay"""
    lr_decay: LRDecay = "cosine"
    """learning-rate schedule over the epochs: none, cosine, or step (x0.1 at 1/2 and 3/4 of the epochs)"""
    augment: bool = False
    """random crop (4-pixel padding) and horizontal flip"""
    num_workers: Annotated[int, AtLeast(0), Adjustable()] = 0
    """DataLoader worker processes"""
    grad_every: Annotated[int, AtLeast(1)] = 50
    """gradient histograms every N optimizer steps"""
    weight_every: Annotated[int, AtLeast(1)] = 1
    """weight histograms every N epochs"""
    channels_last: bool = True
    """NHWC memory layout for the convolutions (measured: 1.33x the images/s of NCHW on the 2-core CPU)"""
    compile: bool = False
    """torch.compile the model's forward pass"""

    def resolved(self, machine: Machine) -> ImageTraining:
        resolved = super().resolved(machine)
        return dataclasses.replace(resolved, lr=DEFAULT_LR[self.optimizer] if self.lr is None else self.lr)


@dataclass(frozen=True)
class ImageRun(ImageTraining, DeviceOptions):
    """What a classification fit reads: the image training options and where it runs."""
