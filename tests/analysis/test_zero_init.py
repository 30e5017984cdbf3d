"""The zero-init study: which gradients must vanish (exactly) and which must not, and why."""

from __future__ import annotations

import torch

from src.analysis.zero_init import zero_init_study
from src.modules import SimpleNN


def study(seed=0):
    torch.manual_seed(seed)
    model = SimpleNN()  # Table 1, final ReLU
    return model, zero_init_study(model, torch.randn(8, 3, 32, 32), torch.randn(8, 10))


def test_exactly_the_gradients_that_must_vanish_do():
    _, result = study()
    zero = {g.name: g for state in result.zero.layers for g in state.grads}
    for name in ("conv1.weight", "conv2.weight", "conv3.weight", "fc1.weight", "fc1.bias"):
        assert zero[name].norm == 0.0 and zero[name].zero_fraction == 1.0, name
        assert torch.count_nonzero(result.zero.gradients[name]) == 0, name
    assert zero["fc2.weight"].norm > 0 and zero["fc2.bias"].norm > 0
    assert result.vanishing_layers == ["conv1", "conv2", "conv3", "fc1"]
    default = {g.name: g for state in result.default.layers for g in state.grads}
    assert all(g.norm > 0 for g in default.values())  # at the default init every layer learns


def test_the_measured_reasons_match_the_architecture():
    _, result = study()
    states = {s.layer: s for s in result.zero.layers}
    assert not states["conv1"].input_all_zero  # the image
    assert all(states[name].input_all_zero for name in ("conv2", "conv3", "fc1"))
    assert all(states[name].delta_all_zero for name in ("conv1", "conv2", "conv3", "fc1"))
    assert not states["fc2"].delta_all_zero
    assert states["conv1"].output_zero_fraction == 1.0  # zero weights, no bias: exactly zero outputs
    assert states["fc1"].output_zero_fraction == 0.0  # it outputs its (non-zero) bias
    assert "no gradient reaches its output" in result.why("conv1")
    assert "its input is all zeros" in result.why("conv2")
    assert result.why("fc2").startswith("gradients flow")


def test_fc2_gradient_is_zero_exactly_where_a_relu_blocks_it():
    model, result = study()
    b1, b2 = model.fc1.bias.detach(), model.fc2.bias.detach()
    grad_w2 = result.zero.gradients["fc2.weight"]  # (10, 32)
    blocked = (b2 <= 0)[:, None] | (b1 <= 0)[None, :]  # final ReLU inactive, or fc1's ReLU output zero
    assert torch.all(grad_w2[blocked] == 0)
    assert torch.all(grad_w2[~blocked] != 0)


def test_the_model_itself_is_not_touched():
    model, _ = study()
    assert all(p.grad is None for p in model.parameters())
    assert torch.count_nonzero(model.conv1.weight) > 0
