"""Conv2d and Linear written out in full, mirroring nn.Conv2d / nn.Linear, with opt-in activation recording.

Same constructor signature, parameter names, shapes, creation order and initialisation as torch's, so a
state_dict moves between ours and torch's unchanged and the same RNG state gives the same weights. The forward
pass uses the same functional kernels (F.conv2d, F.linear), so outputs and gradients match torch's to float
precision and run at full speed on CPU and GPU.

Recording: inside `with recording(model):` every layer of ours keeps its last input and output (detached);
leaving the scope clears them. Outside a scope nothing is kept, so training holds no activations alive.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    """An int or a pair as a pair (height, width), as torch's Conv2d takes its sizes."""
    return (value, value) if isinstance(value, int) else tuple(value)


def fan_in(weight: torch.Tensor) -> int:
    """Inputs feeding one output: in_features, or in_channels / groups x kH x kW."""
    return math.prod(weight.shape[1:])


class RecordsActivations(nn.Module):
    """Base of our layers: `last_input`/`last_output` are tensors only inside a `recording` scope."""

    def __init__(self) -> None:
        super().__init__()
        self._recording = False
        self.last_input: torch.Tensor | None = None
        self.last_output: torch.Tensor | None = None

    def _record(self, input: torch.Tensor, output: torch.Tensor) -> None:
        if self._recording:
            self.last_input = input.detach()
            self.last_output = output.detach()


@contextmanager
def recording(model: nn.Module) -> Iterator[list[RecordsActivations]]:
    """Let every layer of ours in `model` keep its last input and output until the block ends."""
    layers = [module for module in model.modules() if isinstance(module, RecordsActivations)]
    for layer in layers:
        layer._recording = True
    try:
        yield layers
    finally:
        for layer in layers:
            layer._recording = False
            layer.last_input = None
            layer.last_output = None


class _Layer(RecordsActivations):
    """Parameters created and initialised exactly as torch does for its Conv and Linear layers."""

    def _create_parameters(self, weight_shape: tuple[int, ...], bias: bool, factory: dict) -> None:
        # Same creation order as torch (weight, then bias), so the same RNG state gives the same values.
        self.weight = nn.Parameter(torch.empty(weight_shape, **factory))
        if bias:
            self.bias = nn.Parameter(torch.empty(weight_shape[0], **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # Exactly torch's: kaiming_uniform_(a=sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight,
        # and the same bound for the bias.
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            inputs = fan_in(self.weight)
            if inputs != 0:
                bound = 1 / math.sqrt(inputs)
                nn.init.uniform_(self.bias, -bound, bound)


class Conv2d(_Layer):
    """2-D convolution; the signature and behaviour of torch.nn.Conv2d.

    weight: (out_channels, in_channels / groups, kH, kW); bias: (out_channels,) or None.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: str | int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"in_channels ({in_channels}) and out_channels ({out_channels}) must be divisible by groups ({groups})"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride, self.dilation = pair(kernel_size), pair(stride), pair(dilation)
        self.padding_mode = padding_mode
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"padding must be 'same', 'valid' or numbers, got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
            # What F.pad needs for a non-zero padding mode: (left, right, top, bottom), as torch computes it.
            self._reversed_padding_repeated_twice = [0, 0, 0, 0]
            if padding == "same":
                for d, k, i in zip(self.dilation, self.kernel_size, (1, 0), strict=True):
                    total = d * (k - 1)
                    self._reversed_padding_repeated_twice[2 * i] = total // 2
                    self._reversed_padding_repeated_twice[2 * i + 1] = total - total // 2
        else:
            self.padding = pair(padding)
            # F.pad's order: (left, right, top, bottom)
            self._reversed_padding_repeated_twice = [self.padding[1]] * 2 + [self.padding[0]] * 2
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self._create_parameters(shape, bias, {"device": device, "dtype": dtype})

    def forward(self, input: torch.Tensor) -> torch.Tensor:  # (B, C_in, H, W) -> (B, C_out, H_out, W_out)
        if self.padding_mode == "zeros":
            output = F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        else:
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            output = F.conv2d(padded, self.weight, self.bias, self.stride, (0, 0), self.dilation, self.groups)
        self._record(input, output)
        return output

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Linear(_Layer):
    """y = x W^T + b; the signature and behaviour of torch.nn.Linear. weight: (out_features, in_features)."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self._create_parameters((out_features, in_features), bias, {"device": device, "dtype": dtype})

    def forward(self, input: torch.Tensor) -> torch.Tensor:  # (..., in_features) -> (..., out_features)
        output = F.linear(input, self.weight, self.bias)
        self._record(input, output)
        return output

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
