"""ModelStack: the looped members compute what each computes alone; the vectorized ones the same to rounding,
batch-norm statistics and gradients included."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from src.modules.model_stack import ModelStack
from src.modules.simple_nn_cifar import SimpleNNCifar


def members(count: int, batch_norm: bool, activation: str = "relu") -> list[SimpleNNCifar]:
    """Different weights per member, batch-norm scales and shifts too (a mix-up between members would show)."""
    torch.manual_seed(0)
    models = [SimpleNNCifar(batch_norm=batch_norm, activation=activation) for _ in range(count)]
    with torch.no_grad():
        for model in models:
            for module in model.modules():
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.5, 0.5)
    return models


def views(count: int = 2, batch: int = 6) -> torch.Tensor:
    return torch.randn(count, batch, 3, 32, 32, generator=torch.Generator().manual_seed(1))  # (V, B, C, H, W)


def train_step(stack: ModelStack, x: torch.Tensor, view_of, active, labels) -> torch.Tensor:
    logits = stack(x, view_of, active)
    sum(F.cross_entropy(member_logits, labels) for member_logits in logits).backward()
    return logits.detach()


@pytest.mark.parametrize("batch_norm", [False, True])
def test_looped_members_compute_exactly_what_each_computes_alone(batch_norm):
    alone = members(3, batch_norm)
    stack = ModelStack(copy.deepcopy(alone), vectorize=False)
    x, view_of, labels = views(), (0, 1, 1), torch.tensor([0, 1, 2, 3, 4, 5])
    logits = train_step(stack, x, view_of, [0, 1, 2], labels)
    for k, model in enumerate(alone):
        own = model(x[view_of[k]])
        F.cross_entropy(own, labels).backward()
        torch.testing.assert_close(logits[k], own.detach(), rtol=0, atol=0)
        for mine, theirs in zip(stack.members[k].parameters(), model.parameters(), strict=True):
            torch.testing.assert_close(mine.grad, theirs.grad, rtol=0, atol=0)


@pytest.mark.parametrize(("batch_norm", "activation"), [(False, "relu"), (True, "relu"), (True, "swish")])
@pytest.mark.parametrize("view_of", [(0, 0, 0), (0, 1, 0)])
def test_vectorized_members_match_the_loop(batch_norm, activation, view_of):
    looped = ModelStack(members(3, batch_norm, activation), vectorize=False)
    vectorized = ModelStack(copy.deepcopy(list(looped.members)), vectorize=True)
    x, labels = views(), torch.tensor([0, 1, 2, 3, 4, 5])
    for stack in (looped, vectorized):
        stack.train()
    expected = train_step(looped, x, view_of, [0, 1, 2], labels)
    got = train_step(vectorized, x, view_of, [0, 1, 2], labels)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    for mine, theirs in zip(vectorized.members, looped.members, strict=True):
        for (name, a), b in zip(mine.named_parameters(), theirs.parameters(), strict=True):
            torch.testing.assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-6, msg=name)
        for a, b in zip(mine.buffers(), theirs.buffers(), strict=True):  # running statistics written back
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    looped.eval(), vectorized.eval()
    with torch.no_grad():
        torch.testing.assert_close(vectorized(x, view_of, [0, 2]), looped(x, view_of, [0, 2]), rtol=1e-5, atol=1e-5)


def test_the_mode_follows_the_stacks_flag_as_lightning_restores_it():
    """Regression: after a validation Lightning sets each submodule's `training` back directly (not through
    train()), and the vectorized members went on training with batch norm's running statistics."""
    looped = ModelStack(members(2, batch_norm=True), vectorize=False)
    vectorized = ModelStack(copy.deepcopy(list(looped.members)), vectorize=True)
    x = views()
    for stack in (looped, vectorized):
        stack.eval()
        stack(x, (0, 0), [0, 1])
        for module in stack.modules():  # what Lightning's _ModuleMode.restore does
            module.training = True
    torch.testing.assert_close(vectorized(x, (0, 0), [0, 1]), looped(x, (0, 0), [0, 1]), rtol=1e-5, atol=1e-5)


def test_only_the_active_members_run():
    stack = ModelStack(members(3, batch_norm=True), vectorize=True)
    before = [m.bn1.running_mean.clone() for m in stack.members]
    logits = stack(views(), (0, 0, 0), [2])
    assert logits.shape == (1, 6, 10)
    assert torch.equal(stack.members[0].bn1.running_mean, before[0])
    assert not torch.equal(stack.members[2].bn1.running_mean, before[2])


def test_members_must_share_an_architecture():
    with pytest.raises(ValueError, match="share one architecture"):
        ModelStack([SimpleNNCifar(), SimpleNNCifar(batch_norm=True)], vectorize=False)


def test_the_template_is_not_part_of_the_module():
    stack = ModelStack(members(2, batch_norm=True), vectorize=True)
    assert all(not name.startswith("_template") for name, _ in stack.named_parameters())
    assert sum(p.numel() for p in stack.parameters()) == 2 * sum(p.numel() for p in stack.members[0].parameters())
