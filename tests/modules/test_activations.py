"""Swish is x * sigmoid(x), its hand-written backward pass is its derivative, and it batches under vmap."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from src.modules.activations import Swish, activation_layer, swish


def test_swish_equals_x_times_sigmoid_and_torchs_silu():
    x = torch.linspace(-12, 12, 2001, dtype=torch.float64)
    torch.testing.assert_close(swish(x), x * torch.sigmoid(x), rtol=0, atol=0)
    torch.testing.assert_close(swish(x), F.silu(x))


def test_its_gradient_is_the_derivative_of_x_times_sigmoid():
    x = torch.linspace(-12, 12, 2001, dtype=torch.float64, requires_grad=True)
    (ours,) = torch.autograd.grad(swish(x).sum(), x)
    reference = x.detach().clone().requires_grad_(True)
    (autograd,) = torch.autograd.grad((reference * torch.sigmoid(reference)).sum(), reference)
    torch.testing.assert_close(ours, autograd)
    s = torch.sigmoid(x.detach())
    torch.testing.assert_close(ours, s + x.detach() * s * (1 - s))  # the derivative written out


def test_gradcheck_against_finite_differences():
    x = torch.randn(20, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(swish, (x,))


def test_it_keeps_only_its_input_for_the_backward_pass():
    x = torch.randn(5, requires_grad=True)
    y = swish(x)
    assert [t.data_ptr() for t in y.grad_fn.saved_tensors] == [x.data_ptr()]


def test_vmap_batches_it():
    x = torch.randn(3, 4, 5)
    torch.testing.assert_close(torch.func.vmap(swish)(x), swish(x))


def test_activation_layers_by_name():
    assert isinstance(activation_layer("relu"), torch.nn.ReLU)
    assert isinstance(activation_layer("swish"), Swish)
    with pytest.raises(ValueError, match="activation must be one of"):
        activation_layer("gelu")
