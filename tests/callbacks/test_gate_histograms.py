"""The gates' names in GateHistograms are the gates PyTorch computes with those rows."""

from __future__ import annotations

import torch
from torch import nn

from src.callbacks.gate_histograms import gate_slices


def test_lstm_gate_rows_are_the_gates_of_the_lstm_equations():
    """One LSTM step written out from the slices by name equals nn.LSTM's."""
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4)
    x, h0, c0 = torch.randn(1, 2, 3), torch.randn(1, 2, 4), torch.randn(1, 2, 4)
    parts = {(tag, gate): param[rows] for tag, param, gate, rows in gate_slices(lstm)}

    def pre(gate):  # the gate's pre-activation: W_ih x + b_ih + W_hh h + b_hh
        return (
            x[0] @ parts["weight_ih_l0", gate].T
            + parts["bias_ih_l0", gate]
            + h0[0] @ parts["weight_hh_l0", gate].T
            + parts["bias_hh_l0", gate]
        )

    i, f, o = (torch.sigmoid(pre(g)) for g in ("input", "forget", "output"))
    c = f * c0[0] + i * torch.tanh(pre("cell"))
    _, (h, c_torch) = lstm(x, (h0, c0))
    torch.testing.assert_close(c_torch[0], c)
    torch.testing.assert_close(h[0], o * torch.tanh(c))


def test_gru_gate_rows_are_the_gates_of_the_gru_equations():
    torch.manual_seed(1)
    gru = nn.GRU(3, 4)
    x, h0 = torch.randn(1, 2, 3), torch.randn(1, 2, 4)
    p = {(tag, gate): param[rows] for tag, param, gate, rows in gate_slices(gru)}

    def ih(gate):
        return x[0] @ p["weight_ih_l0", gate].T + p["bias_ih_l0", gate]

    def hh(gate):
        return h0[0] @ p["weight_hh_l0", gate].T + p["bias_hh_l0", gate]

    r, z = torch.sigmoid(ih("reset") + hh("reset")), torch.sigmoid(ih("update") + hh("update"))
    n = torch.tanh(ih("new") + r * hh("new"))
    _, h = gru(x, h0)
    torch.testing.assert_close(h[0], (1 - z) * n + z * h0[0])


def test_nested_and_bidirectional_layers_are_named_by_their_path():
    model = nn.Sequential(nn.Embedding(5, 3), nn.LSTM(3, 2, num_layers=2, bidirectional=True))
    tags = {tag for tag, *_ in gate_slices(model)}
    assert "1.weight_ih_l1_reverse" in tags and len(tags) == 4 * 2 * 2  # 4 tensors x 2 layers x 2 directions
