"""The course's CIFAR-10 network: its parameter count, shapes, MACs, variants, initial weights and initial loss."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from src.analysis import layer_summary
from src.experiments.grid import Variant
from src.experiments.grid.fit import seeded_model
from src.modules.activations import Swish
from src.modules.simple_nn_cifar import SimpleNNCifar


def hand_counted_params(batch_norm: bool) -> int:
    conv = (3 * 8 * 5 * 5 + 8) + (8 * 16 * 3 * 3 + 16)
    fc = (576 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    return conv + fc + (2 * 8 + 2 * 16 if batch_norm else 0)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_parameter_count(batch_norm):
    model = SimpleNNCifar(batch_norm=batch_norm)
    assert sum(p.numel() for p in model.parameters()) == hand_counted_params(batch_norm)
    assert hand_counted_params(False) == 82_030


@pytest.mark.parametrize("batch_norm", [False, True])
def test_layer_shapes_params_and_macs(batch_norm):
    model = SimpleNNCifar(batch_norm=batch_norm)
    table = layer_summary(model, torch.zeros(1, 3, 32, 32))
    rows = {row.name: row for row in table.rows}
    expected = {  # output shape, MACs, hand-computed from the architecture
        "conv1": ((1, 8, 28, 28), 28 * 28 * 5 * 5 * 3 * 8),
        "conv2": ((1, 16, 12, 12), 12 * 12 * 3 * 3 * 8 * 16),
        "fc1": ((1, 120), 576 * 120),
        "fc2": ((1, 84), 120 * 84),
        "fc3": ((1, 10), 84 * 10),
    }
    for name, (shape, macs) in expected.items():
        assert tuple(rows[name].output_shape) == shape and rows[name].macs == macs
    assert tuple(rows["conv2"].input_shape) == (1, 8, 14, 14)
    assert tuple(rows["fc1"].input_shape) == (1, 576)
    assert ("bn1" in rows) == batch_norm and ("bn2" in rows) == batch_norm
    counter = FlopCounterMode(display=False)
    with counter:
        model(torch.zeros(1, 3, 32, 32))
    assert table.total_macs == counter.get_total_flops() // 2
    assert table.total_params == sum(p.numel() for p in model.parameters())


def test_swish_replaces_every_relu():
    relu, swish = SimpleNNCifar(activation="relu"), SimpleNNCifar(activation="swish")
    assert sum(isinstance(m, nn.ReLU) for m in relu.modules()) == 4
    assert not any(isinstance(m, (nn.ReLU, nn.SiLU)) for m in swish.modules())
    assert sum(isinstance(m, Swish) for m in swish.modules()) == 4
    # and it is applied: with equal weights the two networks differ exactly where a ReLU acts
    swish.load_state_dict(relu.state_dict())
    x = torch.randn(2, 3, 32, 32)
    assert not torch.allclose(relu(x), swish(x))


def test_batch_norm_follows_each_convolution_before_its_activation():
    model = SimpleNNCifar(batch_norm=True)
    order = [name for name, module in model.named_children()]
    assert order[:8] == ["conv1", "bn1", "act1", "pool1", "conv2", "bn2", "act2", "pool2"]
    assert isinstance(model.bn1, nn.BatchNorm2d) and model.bn1.num_features == 8
    assert isinstance(SimpleNNCifar().bn1, nn.Identity)


def test_every_variant_starts_from_the_same_weights():
    variants = [
        Variant(),
        Variant(batch_norm=True),
        Variant(activation="swish", batch_norm=True, lr=0.1),
        Variant(augment=True, weight_decay=0, l1=1e-4),
    ]
    states = [seeded_model(v, seed=3, num_classes=10, in_channels=3).state_dict() for v in variants]
    for state in states[1:]:
        for name in states[0]:
            torch.testing.assert_close(state[name], states[0][name], rtol=0, atol=0)
    other_seed = seeded_model(Variant(), seed=4, num_classes=10, in_channels=3).state_dict()
    assert not torch.equal(other_seed["conv1.weight"], states[0]["conv1.weight"])


@pytest.mark.parametrize("variant", [Variant(), Variant(batch_norm=True, activation="swish")])
def test_the_untrained_network_has_a_loss_near_ln_10(variant):
    """Random weights give small, nearly equal logits: about 1/10 per class, cross-entropy about ln 10."""
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(500, 3, 32, 32, generator=generator)
    labels = torch.randint(0, 10, (500,), generator=generator)
    model = seeded_model(variant, seed=0, num_classes=10, in_channels=3).eval()
    with torch.no_grad():
        loss = F.cross_entropy(model(images), labels)
    assert abs(float(loss) - math.log(10)) < 0.05
