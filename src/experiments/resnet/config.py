"""The options of `resnet`: the network (depth, shortcut) and the paper's recipe, counted in iterations."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from src.config import Adjustable, AtLeast, DeviceOptions, Distinct, ImageData, InRange, NonNegative, Positive
from src.config.checks import Check
from src.config.options import Machine
from src.config.run import ResumeOptions
from src.errors import UserError

Shortcut = Literal["A", "B"]
Compile = Literal["auto", "on", "off"]
PAPER_ITERATIONS = 64_000
MILESTONE_FRACTIONS = (0.5, 0.75)  # the paper's 32k and 48k of 64k iterations
DEEP_WARMUP = 400  # iterations at a tenth of the rate for ResNet-110 (the paper's warm-up)


@dataclass(frozen=True)
class ResNetDepth(Check):
    def problem(self, value: Any) -> str | None:
        if value >= 8 and (value - 2) % 6 == 0:
            return None
        return f"must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110, ...), got {value}"


@dataclass(frozen=True)
class ResNetRecipe(ImageData):
    """ResNet on CIFAR-10 (He et al. 2016, Section 4.2)"""

    depth: Annotated[int, ResNetDepth()] = 20
    """layers, 6n + 2: 20, 32, 44, 56, 110 (n blocks per stage)"""
    shortcut: Shortcut = "A"
    """where a block changes shape: A, the identity subsampled and zero-padded (no parameters, the paper's
    CIFAR choice); B, a 1x1 convolution and batch norm"""
    iterations: Annotated[int | None, AtLeast(1)] = None
    """training length in optimizer steps (default: the paper's 64,000, about 182 epochs of 45,000 images at
    batch 128)"""
    epochs: Annotated[int | None, AtLeast(1)] = None
    """training length in epochs instead of --iterations (the last batch of an epoch may be smaller)"""
    milestones: Annotated[tuple[int, ...] | None, AtLeast(1), Distinct()] = None
    """optimizer steps at which the rate is divided by 10 (default: at 1/2 and 3/4 of the training, the
    paper's 32,000 and 48,000 of 64,000)"""
    warmup_iterations: Annotated[int | None, AtLeast(0)] = None
    """first steps at a tenth of the rate (default: for depth >= 110, 400 as the paper's ResNet-110, at most a
    tenth of the training; else 0)"""
    batch_size: Annotated[int, AtLeast(1)] = 128
    """training images per step and process (under DDP on 2 GPUs, 64 keeps the paper's 128 per step)"""
    eval_batch_size: Annotated[int, AtLeast(1)] = 1000
    """images per validation and test batch"""
    lr: Annotated[float, Positive()] = 0.1
    """SGD learning rate"""
    momentum: Annotated[float, InRange(0, 1, "[0, 1)", open_high=True)] = 0.9
    """SGD momentum (plain, as the paper)"""
    weight_decay: Annotated[float, NonNegative()] = 1e-4
    """L2 weight decay"""
    augment: bool = True
    """random crop (4-pixel zero padding) and horizontal flip, as the paper"""
    num_workers: Annotated[int, AtLeast(0), Adjustable()] = 0
    """DataLoader worker processes (a GPU run keeps the images on the GPU and needs none)"""
    grad_every: Annotated[int, AtLeast(1)] = 500
    """gradient histograms every N optimizer steps"""
    weight_every: Annotated[int, AtLeast(1)] = 5
    """weight histograms every N epochs"""
    channels_last: bool = True
    """NHWC memory layout for the convolutions (faster on GPUs' tensor cores and with oneDNN on CPUs)"""
    compile: Annotated[Compile, Adjustable()] = "auto"
    """torch.compile the network: auto = on a CUDA GPU (fewer, fused kernels), off on a CPU (measured slower
    there)"""

    def check(self) -> None:
        super().check()
        if self.epochs is not None and self.iterations is not None:
            raise UserError("--epochs and --iterations both set the training length: give one of them")
        if self.milestones is not None and self.epochs is None:
            iterations = self.iterations or PAPER_ITERATIONS  # known before the data: checked at once
            check_milestones(self.milestones, iterations, f"--iterations {iterations}")

    def resolved(self, machine: Machine) -> ResNetRecipe:
        resolved = super().resolved(machine)
        iterations = PAPER_ITERATIONS if self.iterations is None and self.epochs is None else self.iterations
        return dataclasses.replace(resolved, iterations=iterations)


@dataclass(frozen=True)
class ResNetConfig(ResNetRecipe, DeviceOptions, ResumeOptions):
    """ResNet"""

    def resolved(self, machine: Machine) -> ResNetConfig:
        resolved = super().resolved(machine)
        if self.compile != "auto":
            return resolved
        return dataclasses.replace(resolved, compile="on" if self.uses_gpu(machine) else "off")


def check_milestones(milestones: tuple[int, ...], total: int, length: str) -> None:
    """Every milestone falls before the end of training (`length` says how long it is, for the message)."""
    late = [m for m in milestones if m >= total]
    if late:
        raise UserError(f"--milestones: {late[0]} is not before the end of training ({length})")


def training_length(cfg: ResNetRecipe, train_images: int, world_size: int = 1) -> dict:
    """The schedule in optimizer steps for this data: total steps, steps per epoch, the epochs they span,
    milestones and warm-up. `--batch-size` is per process (as for every image command): under DDP each of the
    `world_size` processes takes a batch of its own share of the data per step."""
    per_epoch = math.ceil(train_images / (cfg.batch_size * world_size))
    total = cfg.iterations if cfg.epochs is None else cfg.epochs * per_epoch
    if cfg.milestones is None:  # 1/2 and 3/4 of the training; a training too short for both keeps those it can
        defaults = {max(1, round(fraction * total)) for fraction in MILESTONE_FRACTIONS}
        milestones = sorted(m for m in defaults if m < total)
    else:
        check_milestones(cfg.milestones, total, f"{total} iterations")
        milestones = sorted(cfg.milestones)
    warmup = cfg.warmup_iterations
    if warmup is None:  # the paper warms ResNet-110 up for about 400 iterations
        warmup = min(DEEP_WARMUP, total // 10) if cfg.depth >= 110 else 0
    elif warmup >= total:
        raise UserError(f"--warmup-iterations: {warmup} is not shorter than the training ({total} iterations)")
    return {
        "iterations": total,
        "steps_per_epoch": per_epoch,
        "epochs": math.ceil(total / per_epoch),
        "milestones": milestones,
        "milestone_epochs": [m / per_epoch for m in milestones],
        "warmup_iterations": warmup,
    }
