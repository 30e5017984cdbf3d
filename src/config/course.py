"""Option group of the course's CIFAR-10 labs (`cifar`, `pipeline`): its training recipe and how variants run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Annotated, Literal

from src.config.checks import Adjustable, AtLeast, InRange, NonNegative, Positive
from src.config.device import DeviceOptions
from src.config.images import ImageData
from src.config.options import Machine
from src.errors import UserError

Normalization = Literal["course", "dataset"]
SideBySide = Literal["auto", "vectorized", "loop", "off"]
# The course's constants (the ones widely copied for CIFAR-10; its std values are per-pixel standard deviations
# averaged over the image, smaller than the channels' own: 0.247, 0.243, 0.261).
COURSE_MEAN = (0.4914, 0.4822, 0.4465)
COURSE_STD = (0.2023, 0.1994, 0.2010)


@dataclass(frozen=True)
class CourseRecipe(ImageData):
    """The course's CIFAR-10 recipe"""

    epochs: Annotated[int, AtLeast(1)] = 30
    """training epochs (of every variant)"""
    batch_size: Annotated[int, AtLeast(1)] = 128
    """training images per step"""
    eval_batch_size: Annotated[int, AtLeast(1)] = 100
    """images per validation and test batch"""
    lr: Annotated[float, Positive()] = 0.01
    """SGD learning rate"""
    momentum: Annotated[float, InRange(0, 1, "[0, 1)", open_high=True)] = 0.9
    """SGD momentum (plain, not Nesterov)"""
    weight_decay: Annotated[float, NonNegative()] = 1e-4
    """L2 weight decay"""
    normalization: Normalization = "course"
    """course: the course's fixed mean (0.4914, 0.4822, 0.4465) and std (0.2023, 0.1994, 0.2010) per channel;
    dataset: the training split's own"""
    num_workers: Annotated[int, AtLeast(0), Adjustable()] = 0
    """DataLoader worker processes"""
    grad_every: Annotated[int, AtLeast(1)] = 50
    """gradient histograms every N optimizer steps"""
    weight_every: Annotated[int, AtLeast(1)] = 1
    """weight histograms every N epochs"""
    channels_last: bool = True
    """NHWC memory layout for the convolutions of looped or separate fits (vectorized ones fold the variants
    into channels their own way); measured on the 2-core CPU: 1.18x the training steps per second of NCHW"""

    def normalization_values(self) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
        """(mean, std) to normalise with, or None for the training split's own statistics."""
        return (COURSE_MEAN, COURSE_STD) if self.normalization == "course" else None


@dataclass(frozen=True)
class CourseRun(CourseRecipe, DeviceOptions):
    """Side-by-side training"""

    side_by_side: SideBySide = "auto"
    """variants that share an architecture train in one fit: vectorized (torch.func.vmap: one kernel per layer
    for all of them), loop (one after another on each batch; on a CPU bit-identical to separate fits), off (a
    fit per variant); auto: vectorized on a GPU, loop on a CPU"""

    def check(self) -> None:
        super().check()
        if self.precision == "16-mixed" and self.side_by_side != "off":
            # One optimizer, one gradient scaler: an overflow in one variant would skip every variant's step.
            raise UserError(
                "--precision 16-mixed: variants side by side share one gradient scaler, so one variant's overflow "
                "would skip every variant's step; use bf16-mixed (no scaler) or --side-by-side off"
            )

    def resolved(self, machine: Machine) -> CourseRun:
        resolved = super().resolved(machine)
        if self.side_by_side != "auto":
            return resolved
        return dataclasses.replace(resolved, side_by_side="vectorized" if self.uses_gpu(machine) else "loop")
