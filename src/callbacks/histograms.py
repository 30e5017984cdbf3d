"""Histograms: weight and gradient distributions of every layer in TensorBoard, throttled."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback
from pytorch_lightning.loggers import TensorBoardLogger
from pytorch_lightning.utilities import rank_zero_warn
from torch import nn

from src.callbacks.layer_summary_callback import summarised_model

# TensorBoard's histogram code fails when every value is beyond ~1e12 (a diverging run reaches that first).
_LARGEST_LOGGABLE = 1e12


def layer_parameters(model: nn.Module) -> list[tuple[str, str, nn.Parameter]]:
    """(layer name, tag suffix, parameter) for every parameter: `conv1` for a weight, `fc1.bias` for a bias."""
    entries = []
    for layer_name, module in model.named_modules():
        for param_name, param in module.named_parameters(recurse=False):
            base = layer_name or "model"
            suffix = base if param_name == "weight" else f"{base}.{param_name}"
            entries.append((base, suffix, param))
    return entries


class Histograms(Callback):
    """`weights/<layer>` every `weight_every_n_epochs` epochs (at epoch end, plus once at fit start) and
    `grads/<layer>` every `grad_every_n_steps` optimizer steps; biases go to `weights/<layer>.bias`.

    Gradients are read in `on_before_optimizer_step`, the one hook that fires once per real update under both
    automatic and manual optimization (gradients already unscaled under mixed precision). Parameters without
    a gradient are skipped; non-finite values are dropped and reported once per tag. Writes on global rank
    zero only, and returns before touching any tensor elsewhere.
    """

    def __init__(self, weight_every_n_epochs: int = 1, grad_every_n_steps: int = 50) -> None:
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
        if self._writer is not None and trainer.current_epoch == 0:
            self._write_weights(pl_module, step=0)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        epoch = trainer.current_epoch + 1
        if self._writer is not None and epoch % self.weight_every_n_epochs == 0:
            self._write_weights(pl_module, step=epoch)

    def on_before_optimizer_step(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer: torch.optim.Optimizer
    ) -> None:
        # global_step counts finished optimizer steps, so this is update number global_step (0-based).
        if self._writer is None or trainer.global_step % self.grad_every_n_steps:
            return
        for _, suffix, param in layer_parameters(summarised_model(pl_module)):
            if param.grad is not None:
                self.write(f"grads/{suffix}", param.grad, trainer.global_step)

    def _write_weights(self, pl_module: pl.LightningModule, step: int) -> None:
        for _, suffix, param in layer_parameters(summarised_model(pl_module)):
            self.write(f"weights/{suffix}", param, step)

    def write(self, tag: str, values: torch.Tensor, step: int) -> None:
        add_histogram_safely(self._writer, tag, values, step, self._reported)


def add_histogram_safely(writer: object, tag: str, values: torch.Tensor, step: int, reported: set[str]) -> None:
    """add_histogram of the finite values; what TensorBoard cannot draw is warned about once per tag
    (`reported` remembers the tags) instead of crashing the run."""
    flat = values.detach().float().flatten()
    finite = flat[torch.isfinite(flat)]
    problem = None
    if finite.numel() < flat.numel():
        problem = f"{flat.numel() - finite.numel()} non-finite values dropped"
    if finite.numel() == 0 or finite.abs().min() > _LARGEST_LOGGABLE:
        problem = "no finite values small enough to draw; skipped"
        finite = None
    if problem and tag not in reported:
        reported.add(tag)
        rank_zero_warn(f"Histograms: {tag} at step {step}: {problem} (reported once per tag)")
    if finite is not None:
        writer.add_histogram(tag, finite.cpu(), step)
