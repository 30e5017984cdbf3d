"""Our Conv2d/Linear against torch's: same init, state_dict both ways, outputs and gradients; scoped recording."""

from __future__ import annotations

import pytest
import pytorch_lightning as pl
import torch
from builders import classifier
from torch import nn

from src.modules import Conv2d, Linear, SimpleNN, recording

CONV_CASES = [
    dict(in_channels=3, out_channels=8, kernel_size=3),
    dict(in_channels=3, out_channels=8, kernel_size=5, stride=2, padding=2, bias=False),
    dict(in_channels=4, out_channels=8, kernel_size=3, groups=2, padding=1),
    dict(in_channels=8, out_channels=8, kernel_size=3, groups=8, padding=1),  # depthwise
    dict(in_channels=4, out_channels=6, kernel_size=3, dilation=2, padding=2, stride=(1, 2)),
    dict(in_channels=4, out_channels=6, kernel_size=(3, 5), padding=(1, 2), stride=(2, 1)),
    dict(in_channels=3, out_channels=4, kernel_size=4, padding="same", dilation=2),
    dict(in_channels=3, out_channels=4, kernel_size=3, padding="valid"),
    dict(in_channels=3, out_channels=4, kernel_size=3, padding=1, padding_mode="reflect"),
    dict(in_channels=3, out_channels=4, kernel_size=4, padding="same", padding_mode="circular"),
    dict(in_channels=3, out_channels=4, kernel_size=3, padding=2, padding_mode="replicate", stride=2),
]
LINEAR_CASES = [dict(in_features=7, out_features=3), dict(in_features=5, out_features=9, bias=False)]


def pair(kind: str, kwargs: dict, seed: int = 0):
    ours, theirs = (Conv2d, nn.Conv2d) if kind == "conv" else (Linear, nn.Linear)
    torch.manual_seed(seed)
    a = ours(**kwargs, dtype=torch.float64)
    torch.manual_seed(seed)
    b = theirs(**kwargs, dtype=torch.float64)
    return a, b


def check_parity(a: nn.Module, b: nn.Module, x: torch.Tensor) -> None:
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = a(xa), b(xb)
    torch.testing.assert_close(ya, yb)
    weights = torch.randn_like(ya)  # an arbitrary loss, so every output element gets its own gradient
    (ya * weights).sum().backward()
    (yb * weights).sum().backward()
    torch.testing.assert_close(xa.grad, xb.grad)
    for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        torch.testing.assert_close(pa.grad, pb.grad, msg=name)


@pytest.mark.parametrize("kwargs", CONV_CASES, ids=lambda k: ",".join(f"{a}={v}" for a, v in k.items()))
def test_conv2d_matches_torch(kwargs):
    a, b = pair("conv", kwargs)
    # Same seed, same creation order: the very same initial values, and the same parameter names and shapes.
    assert list(a.state_dict()) == list(b.state_dict())
    for (name, pa), (_, pb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert torch.equal(pa, pb), name
    check_parity(a, b, torch.randn(2, kwargs["in_channels"], 11, 13, dtype=torch.float64))


@pytest.mark.parametrize("kwargs", LINEAR_CASES, ids=str)
def test_linear_matches_torch(kwargs):
    a, b = pair("linear", kwargs)
    for (name, pa), (_, pb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert torch.equal(pa, pb), name
    check_parity(a, b, torch.randn(4, 3, kwargs["in_features"], dtype=torch.float64))


@pytest.mark.parametrize(
    ("kind", "kwargs"), [("conv", CONV_CASES[2]), ("conv", CONV_CASES[8]), ("linear", LINEAR_CASES[0])]
)
def test_state_dict_moves_both_ways(kind, kwargs):
    ours, theirs = pair(kind, kwargs, seed=1)
    other_ours, other_theirs = pair(kind, kwargs, seed=2)
    other_theirs.load_state_dict(ours.state_dict())  # ours -> torch
    other_ours.load_state_dict(theirs.state_dict())  # torch -> ours (strict: same keys, same shapes)
    x = torch.randn(2, kwargs.get("in_channels", 3), 9, 9, dtype=torch.float64)
    if kind == "linear":
        x = torch.randn(2, kwargs["in_features"], dtype=torch.float64)
    torch.testing.assert_close(other_theirs(x), ours(x))
    torch.testing.assert_close(other_ours(x), theirs(x))


def test_float32_default_dtype_and_repr():
    conv = Conv2d(3, 16, 5, padding=2, bias=False)
    assert conv.weight.dtype == torch.float32 and conv.bias is None
    assert repr(conv) == repr(nn.Conv2d(3, 16, 5, padding=2, bias=False))
    assert repr(Linear(288, 32)) == repr(nn.Linear(288, 32))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(in_channels=3, out_channels=4, kernel_size=3, groups=2), "divisible by groups"),
        (dict(in_channels=3, out_channels=4, kernel_size=3, padding="same", stride=2), "strided"),
        (dict(in_channels=3, out_channels=4, kernel_size=3, padding="full"), "padding must be"),
        (dict(in_channels=3, out_channels=4, kernel_size=3, padding_mode="mirror"), "padding_mode"),
    ],
)
def test_conv2d_rejects_what_torch_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Conv2d(**kwargs)
    with pytest.raises(ValueError):
        nn.Conv2d(**kwargs)


def layers_of(model):
    return [m for m in model.modules() if isinstance(m, (Conv2d, Linear))]


def test_recording_keeps_activations_only_inside_the_scope():
    model = SimpleNN()
    x = torch.randn(2, 3, 32, 32)
    model(x)
    assert all(layer.last_input is None and layer.last_output is None for layer in layers_of(model))
    with recording(model) as recorded:
        out = model(x)
        assert len(recorded) == 5
        assert model.conv1.last_input is not None and torch.equal(model.conv1.last_input, x)
        assert model.conv3.last_output.shape == (2, 32, 6, 6)
        assert model.fc2.last_output.shape == out.shape
        assert not model.fc2.last_output.requires_grad  # detached: no graph kept alive
    assert all(layer.last_input is None and layer.last_output is None for layer in layers_of(model))
    assert not any(layer._recording for layer in layers_of(model))


@pytest.mark.filterwarnings("ignore:You defined a `validation_step` but have no `val_dataloader`")
def test_after_a_training_step_no_layer_holds_a_tensor(cpu_trainer):
    images = torch.randn(16, 3, 32, 32)
    labels = torch.randint(0, 10, (16,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels), batch_size=8)
    module = classifier(lr_decay="none")
    cpu_trainer(max_steps=2).fit(module, train_dataloaders=loader)
    for layer in layers_of(module.model):
        assert layer.last_input is None and layer.last_output is None
        # nothing but parameters and plain attributes: no tensor attribute at all
        assert not [k for k, v in vars(layer).items() if isinstance(v, torch.Tensor)]
    assert isinstance(module, pl.LightningModule)
