"""GateHistograms: Histograms plus one histogram per gate of every LSTM/GRU weight and bias."""

from __future__ import annotations

from torch import nn

from src.callbacks.histograms import Histograms

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

    def parts(self, model: nn.Module) -> list[tuple[str, nn.Parameter, slice]]:
        gates = [(f"{tag}/{gate}", param, rows) for tag, param, gate, rows in gate_slices(model)]
        return [*super().parts(model), *gates]
