"""Swish, x * sigmoid(x) (Ramachandran et al., 2017), written out with its own backward pass, and the choice
between it and ReLU by name."""

from __future__ import annotations

import typing
from typing import Literal

import torch
from torch import nn

Activation = Literal["relu", "swish"]
ACTIVATIONS = typing.get_args(Activation)


class SwishFunction(torch.autograd.Function):
    """swish(x) = x * s with s = sigmoid(x); d swish / dx = s + x * s * (1 - s) = s * (1 + x * (1 - s)).

    Only x is saved for the backward pass (s is recomputed there), so a Swish layer keeps one tensor alive per
    call, as ReLU does, instead of the two (x and s) that autograd would keep for `x * torch.sigmoid(x)`.
    `generate_vmap_rule` lets torch.func.vmap batch it (models trained side by side, src/modules/model_stack.py).
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(x)

    @staticmethod
    def setup_context(ctx, inputs: tuple[torch.Tensor], output: torch.Tensor) -> None:
        ctx.save_for_backward(inputs[0])

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_output * s * (1 + x * (1 - s))


def swish(x: torch.Tensor) -> torch.Tensor:
    return SwishFunction.apply(x)


class Swish(nn.Module):
    """x * sigmoid(x) as a layer (what torch calls SiLU; ours, so that its gradient is ours too)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return swish(x)


def activation_layer(name: str) -> nn.Module:
    """A fresh ReLU or Swish layer."""
    if name == "relu":
        return nn.ReLU()
    if name == "swish":
        return Swish()
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
