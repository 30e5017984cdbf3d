"""ResNetCifar against independent counts: parameters, MACs, shapes, and the zero-padded shortcut."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from src.analysis import layer_summary
from src.modules.resnet import ResNetCifar, ZeroPadShortcut, blocks_per_stage


def paper_parameter_count(depth: int, shortcut: str, classes: int = 10) -> int:
    """Counted from the architecture's description (Section 4.2), not from the module: 3x3 convolutions
    without bias, a batch norm (2 parameters per channel) after each, 1x1 projections + BN for option B where
    the width doubles, and the fc layer with bias."""
    n = (depth - 2) // 6
    conv3 = lambda c_in, c_out: 9 * c_in * c_out + 2 * c_out  # noqa: E731 - conv + its batch norm
    total = conv3(3, 16)
    for index, width in enumerate((16, 32, 64)):
        c_in = 16 if index == 0 else width // 2
        total += conv3(c_in, width) + conv3(width, width)  # the first block
        total += (n - 1) * 2 * conv3(width, width)  # the other n - 1 blocks
        if shortcut == "B" and index > 0:
            total += c_in * width + 2 * width  # 1x1 projection + its batch norm
    return total + 64 * classes + classes


def paper_mac_count(depth: int, shortcut: str) -> int:
    """3x3 convolutions: H_out W_out 9 C_in C_out per image; option B's 1x1 projections H_out W_out C_in C_out."""
    n = (depth - 2) // 6
    macs = 32 * 32 * 9 * 3 * 16
    for index, (width, side) in enumerate(((16, 32), (32, 16), (64, 8))):
        c_in = 16 if index == 0 else width // 2
        macs += side * side * 9 * (c_in * width + width * width)  # first block
        macs += (n - 1) * 2 * side * side * 9 * width * width
        if shortcut == "B" and index > 0:
            macs += side * side * c_in * width
    return macs + 64 * 10


@pytest.mark.parametrize(("depth", "shortcut"), [(20, "A"), (20, "B"), (32, "A"), (56, "B")])
def test_parameters_and_macs_match_independent_counts(depth, shortcut):
    model = ResNetCifar(depth, shortcut)
    params = sum(p.numel() for p in model.parameters())
    assert params == paper_parameter_count(depth, shortcut)
    table = layer_summary(model, torch.zeros(2, 3, 32, 32))
    assert table.total_params == params and sum(row.params for row in table.rows) == params
    with FlopCounterMode(display=False) as counter:
        model.eval()(torch.zeros(3, 3, 32, 32))
    assert table.total_macs == counter.get_total_flops() // 2 // 3 == paper_mac_count(depth, shortcut)
    assert sum(row.macs for row in table.rows) == table.total_macs and not table.notes  # BN, additions: 0 MACs


def test_the_papers_numbers():
    assert sum(p.numel() for p in ResNetCifar(20).parameters()) == 269_722  # "0.27M"
    assert sum(p.numel() for p in ResNetCifar(110).parameters()) == 1_727_962  # "1.7M"
    assert layer_summary(ResNetCifar(20), torch.zeros(1, 3, 32, 32)).total_macs == 40_551_040  # ~41 M


def test_shapes_through_the_stages():
    model = ResNetCifar(20, num_classes=7, in_channels=1).eval()
    seen = {}
    for name in ("stage1", "stage2", "stage3"):
        getattr(model, name).register_forward_hook(lambda m, a, out, name=name: seen.__setitem__(name, out.shape))
    assert model(torch.randn(5, 1, 32, 32)).shape == (5, 7)
    assert seen == {"stage1": (5, 16, 32, 32), "stage2": (5, 32, 16, 16), "stage3": (5, 64, 8, 8)}


def test_zero_padded_shortcut_equals_its_definition():
    x = torch.randn(2, 16, 32, 32)
    reference = torch.zeros(2, 32, 16, 16)
    for c in range(16):
        for i in range(16):
            for j in range(16):
                reference[:, c, i, j] = x[:, c, 2 * i, 2 * j]  # every other pixel; channels 16..31 stay zero
    out = ZeroPadShortcut(16, 32, stride=2)(x)
    torch.testing.assert_close(out, reference, rtol=0, atol=0)
    assert list(ZeroPadShortcut(16, 32, 2).parameters()) == []


def test_only_shape_changing_blocks_get_a_shortcut_module():
    a, b = ResNetCifar(20, "A"), ResNetCifar(20, "B")
    kinds = lambda m: [type(block.shortcut).__name__ for s in (m.stage1, m.stage2, m.stage3) for block in s]  # noqa: E731
    assert kinds(a) == ["Identity"] * 3 + ["ZeroPadShortcut", "Identity", "Identity"] * 2
    assert kinds(b) == ["Identity"] * 3 + ["ProjectionShortcut", "Identity", "Identity"] * 2


def test_he_initialisation_and_depth_checks():
    torch.manual_seed(0)
    weight = ResNetCifar(20).stage3[1].conv1.weight  # fan_in 64 * 9
    assert abs(weight.std().item() - (2 / (64 * 9)) ** 0.5) < 0.002
    assert blocks_per_stage(110) == 18
    for depth in (19, 2, 21):
        with pytest.raises(ValueError, match="6n \\+ 2"):
            ResNetCifar(depth)
