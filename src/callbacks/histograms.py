"""Histograms: weight and gradient distributions of every layer in TensorBoard, throttled."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback
from pytorch_lightning.loggers import TensorBoardLogger
from pytorch_lightning.utilities import rank_zero_warn
from torch import nn

from src.callbacks.layer_summary_callback import summarised_model

HISTOGRAM_BINS = 64


def histogram_tag(parameter_name: str) -> str:
    """A parameter's tag suffix: `conv1` for conv1.weight, `fc1.bias` for a bias, `model` for a top-level weight."""
    layer, _, name = parameter_name.rpartition(".")
    layer = layer or "model"
    return layer if name == "weight" else f"{layer}.{name}"


def layer_parameters(model: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """(tag suffix, parameter) for every parameter of `model`, named by histogram_tag."""
    return [(histogram_tag(name), param) for name, param in model.named_parameters()]


class Histograms(Callback):
    """`weights/<layer>` every `weight_every_n_epochs` epochs (at epoch end, plus once at fit start) and
    `grads/<layer>` every `grad_every_n_steps` optimizer steps; biases go to `weights/<layer>.bias`.

    Gradients are read in `on_before_optimizer_step`, the one hook that fires once per real update under both
    automatic and manual optimization (gradients already unscaled under mixed precision). Parameters without
    a gradient are skipped; non-finite values are dropped and reported once per tag. Writes on global rank
    zero only, and returns before touching any tensor elsewhere.
    """

    def __init__(self, weight_every_n_epochs: int, grad_every_n_steps: int) -> None:
        if weight_every_n_epochs < 1 or grad_every_n_steps < 1:
            raise ValueError("weight_every_n_epochs and grad_every_n_steps must be >= 1")
        self.weight_every_n_epochs = weight_every_n_epochs
        self.grad_every_n_steps = grad_every_n_steps
        self._writer = None
        self._reported: set[str] = set()

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        self._writer = None
        if trainer.is_global_zero:
            if isinstance(trainer.logger, TensorBoardLogger):
                self._writer = trainer.logger.experiment
            else:
                rank_zero_warn("Histograms: no TensorBoardLogger on the trainer, so no histograms are written")

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        # The initial weights, once: a resumed fit (started from a checkpoint) wrote them when it first started.
        # (At this point a resumed fit has its weights back but not yet its epoch counter.)
        if trainer.ckpt_path is None:
            self._write_weights(pl_module, step=0)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        epoch = trainer.current_epoch + 1
        if epoch % self.weight_every_n_epochs == 0:
            self._write_weights(pl_module, step=epoch)

    def on_before_optimizer_step(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer: torch.optim.Optimizer
    ) -> None:
        # global_step counts finished optimizer steps, so this is update number global_step (0-based).
        if trainer.global_step % self.grad_every_n_steps:
            return
        for writer, model in self.targets(pl_module):
            for suffix, param, rows in self.parts(model):
                if param.grad is not None:
                    add_histogram_safely(
                        writer, f"grads/{suffix}", param.grad[rows], trainer.global_step, self._reported
                    )

    def parts(self, model: nn.Module) -> list[tuple[str, nn.Parameter, slice]]:
        """(tag suffix, parameter, its rows to draw): every parameter whole (see GateHistograms for more)."""
        return [(suffix, param, slice(None)) for suffix, param in layer_parameters(model)]

    def targets(self, pl_module: pl.LightningModule) -> list[tuple[object, nn.Module]]:
        """(writer, model) pairs to draw: the module's network in the trainer's TensorBoard run (none off rank
        zero or without a TensorBoard logger)."""
        return [] if self._writer is None else [(self._writer, summarised_model(pl_module))]

    def _write_weights(self, pl_module: pl.LightningModule, step: int) -> None:
        for writer, model in self.targets(pl_module):
            for suffix, param, rows in self.parts(model):
                add_histogram_safely(writer, f"weights/{suffix}", param[rows], step, self._reported)


class MemberHistograms(Histograms):
    """Histograms of every active member of a StackClassifier, member `names[k]` through `writers[names[k]]`,
    its own sub-run next to its curves (see MemberCurves, whose writers these are): the members' distributions
    overlay in TensorBoard's Histograms tab. `writers` is empty off global rank zero."""

    def __init__(
        self,
        names: Sequence[str],
        writers: Mapping[str, object],
        weight_every_n_epochs: int,
        grad_every_n_steps: int,
    ) -> None:
        super().__init__(weight_every_n_epochs, grad_every_n_steps)
        self.names, self.writers = list(names), writers

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        pass  # the members' writers are given, not the trainer's

    def targets(self, pl_module: pl.LightningModule) -> list[tuple[object, nn.Module]]:
        if not self.writers:
            return []
        return [(self.writers[self.names[k]], pl_module.members[k]) for k in pl_module.active_members]


def add_histogram_safely(writer: object, tag: str, values: torch.Tensor, step: int, reported: set[str]) -> None:
    """A histogram of the finite values, computed with torch and written with `add_histogram_raw`; what
    TensorBoard cannot draw is warned about once per tag (`reported` remembers the tags) instead of crashing.

    Not `add_histogram`: it computes the sum of squares with NumPy's BLAS, whose worker threads then busy-wait
    and fight torch's threads for the cores; on a 2-core CPU the next training step took ~90 ms instead of
    ~13 ms (bench/classify.py found it). torch.histc runs where the tensor lives and only HISTOGRAM_BINS
    counts come back to the host.
    """
    flat = values.detach().flatten().float()
    is_finite = torch.isfinite(flat)
    finite = flat if bool(is_finite.all()) else flat[is_finite]  # the copy only when something is dropped
    problem = None
    if finite.numel() < flat.numel():
        problem = f"{flat.numel() - finite.numel()} non-finite values dropped"
    # The norm in float64 without a float64 copy of the tensor (one would cost ~2 ms for a 3608 x 128 embedding).
    sum_squares = float(torch.linalg.vector_norm(finite, dtype=torch.float64)) ** 2 if finite.numel() else 0.0
    if finite.numel() == 0 or not math.isfinite(sum_squares):  # nothing left, or beyond float64's range
        problem = "no finite values to draw (or values too large to summarise); skipped"
        finite = None
    if problem and tag not in reported:
        reported.add(tag)
        rank_zero_warn(f"Histograms: {tag} at step {step}: {problem} (reported once per tag)")
    if finite is None:
        return
    low, high = float(finite.min()), float(finite.max())
    lowest, highest = low, high
    if low == high:  # one value: a single bucket around it
        pad = max(abs(low) * 1e-3, 1e-12)
        low, high = low - pad, high + pad
    counts = bucket_counts(finite, low, high)
    edges = torch.linspace(low, high, HISTOGRAM_BINS + 1, dtype=torch.float64)
    writer.add_histogram_raw(
        tag,
        min=lowest,
        max=highest,
        num=finite.numel(),
        sum=float(finite.sum(dtype=torch.float64)),
        sum_squares=sum_squares,
        # TensorBoard stores right edges only; an empty first bucket ends at the left edge (as its own code does).
        bucket_limits=edges.tolist(),
        bucket_counts=[0.0, *counts.tolist()],
        global_step=step,
    )


def bucket_counts(values: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """HISTOGRAM_BINS equal buckets over [low, high], the top edge in the last one: torch.histc's counts. On a CPU
    computed with bincount, 3.5 x faster than histc there (measured on a 3608 x 128 embedding: 1.1 vs 3.8 ms)."""
    if values.device.type != "cpu":
        return torch.histc(values, bins=HISTOGRAM_BINS, min=low, max=high)
    # histc's own arithmetic, in the values' dtype: (value - low) * bins / (high - low), with high - low rounded
    # to that dtype too (a span computed in double put values near a bin edge in the neighbouring bin).
    span = torch.tensor(high, dtype=values.dtype) - torch.tensor(low, dtype=values.dtype)
    index = (values - low).mul_(HISTOGRAM_BINS).div_(span).long().clamp_(0, HISTOGRAM_BINS - 1)
    return torch.bincount(index, minlength=HISTOGRAM_BINS).to(values.dtype)
