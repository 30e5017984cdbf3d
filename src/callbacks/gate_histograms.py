"""GateHistograms: Histograms plus one histogram per gate of every LSTM/GRU weight and bias."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
from torch import nn

from src.callbacks.histograms import Histograms, add_histogram_safely

# PyTorch stacks the gates' rows in this order in weight_ih_l*, weight_hh_l*, bias_ih_l* and bias_hh_l*.
GATES = {nn.LSTM: ("input", "forget", "cell", "output"), nn.GRU: ("reset", "update", "new")}


def gate_slices(model: nn.Module) -> list[tuple[str, nn.Parameter, str, slice]]:
    """(parameter tag, parameter, gate, its rows) for every gate of every recurrent layer of `model`: an
    LSTM's weight_ih_l0 (4H x E) holds the input, forget, cell and output gates' H rows each."""
    found = []
    for module_name, module in model.named_modules():
        gates = GATES.get(type(module))
        if gates is None:
            continue
        for name, param in module.named_parameters():
            rows = param.shape[0] // len(gates)
            tag = f"{module_name}.{name}" if module_name else name
            found += [(tag, param, gate, slice(k * rows, (k + 1) * rows)) for k, gate in enumerate(gates)]
    return found


class GateHistograms(Histograms):
    """Also `weights/<rnn>.<param>/<gate>` and `grads/<rnn>.<param>/<gate>`: whether the forget gate's biases
    grow, or one gate's gradients vanish, is invisible in the whole matrix's histogram."""

    def on_before_optimizer_step(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer: torch.optim.Optimizer
    ) -> None:
        super().on_before_optimizer_step(trainer, pl_module, optimizer)
        if trainer.global_step % self.grad_every_n_steps:
            return
        for writer, model in self.targets(pl_module):
            for tag, param, gate, rows in gate_slices(model):
                if param.grad is not None:
                    add_histogram_safely(
                        writer, f"grads/{tag}/{gate}", param.grad[rows], trainer.global_step, self._reported
                    )

    def _write_weights(self, pl_module: pl.LightningModule, step: int) -> None:
        super()._write_weights(pl_module, step)
        for writer, model in self.targets(pl_module):
            for tag, param, gate, rows in gate_slices(model):
                add_histogram_safely(writer, f"weights/{tag}/{gate}", param[rows], step, self._reported)
