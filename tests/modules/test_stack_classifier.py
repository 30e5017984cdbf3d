"""StackClassifier in a fit: every member's own recipe is applied (rate, momentum, L2, L1, schedule,
augmentation), its metrics are exact, a diverging member is stopped alone, and its best epoch is kept."""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import pytest
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score, log_loss

from src.config import Machine
from src.config.course import CourseRun
from src.data import ImageDataModule, ImageSplits
from src.data.stack_datamodule import StackDataModule
from src.experiments.grid import Variant
from src.experiments.grid.fit import build_grid_fit, group_variants
from src.modules.stack_classifier import l1_norm

CPU = Machine()


def random_splits(n_train: int = 96, n_eval: int = 40, seed: int = 0) -> ImageSplits:
    generator = torch.Generator().manual_seed(seed)

    def part(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        images = torch.randint(0, 256, (n, 3, 32, 32), generator=generator, dtype=torch.uint8)
        return images, torch.randint(0, 10, (n,), generator=generator)

    return ImageSplits("random", "test", tuple(str(c) for c in range(10)), part(n_train), part(n_eval), part(n_eval))


def config(**changes) -> CourseRun:
    base = CourseRun(batch_size=16, eval_batch_size=20, epochs=2, progress_bar=False, accelerator="cpu")
    return dataclasses.replace(base, **changes).resolved(CPU)


def fit_of(variants, tmp_path, splits=None, **changes):
    cfg = config(**changes)
    (label, group), *_ = group_variants(variants, cfg.side_by_side)
    return build_grid_fit(cfg, splits or random_splits(), label, group, tmp_path, CPU, {}, summary=False)


def test_each_member_gets_its_own_param_group_and_schedule(tmp_path):
    variants = [
        Variant(lr=0.1, weight_decay=0.0),
        Variant(lr=0.01, weight_decay=1e-3, decay_every=1, decay_factor=0.5),
    ]
    fit = fit_of(variants, tmp_path, epochs=3)
    fit.trainer.fit(fit.module, datamodule=fit.datamodule)
    groups = fit.trainer.optimizers[0].param_groups
    assert [g["weight_decay"] for g in groups] == [0.0, 1e-3]
    assert [g["momentum"] for g in groups] == [0.9, 0.9] and not any(g["nesterov"] for g in groups)
    for group, member in zip(groups, fit.module.members, strict=True):
        assert {id(p) for p in group["params"]} == {id(p) for p in member.parameters()}
    rates = {name: [row["train/lr"] for row in rows] for name, rows in fit.curves.history.items()}
    assert rates[variants[0].name] == [0.1, 0.1, 0.1]
    assert rates[variants[1].name] == pytest.approx([0.01, 0.005, 0.0025])


def test_the_l1_term_is_added_to_that_members_loss_only(tmp_path):
    variants = [Variant(weight_decay=0.0, l1=1e-3), Variant()]
    fit = fit_of(variants, tmp_path)
    module = fit.module
    module.trainer = fit.trainer  # training_step only needs the metrics and members
    images = torch.randn(1, 8, 3, 32, 32)
    labels = torch.arange(8) % 10
    total = module.training_step((images, labels), 0)
    ce = [F.cross_entropy(member(images[0]), labels) for member in module.members]
    torch.testing.assert_close(total, ce[0] + ce[1] + 1e-3 * l1_norm(module.members[0]))
    expected = sum(float(p.detach().abs().sum()) for p in module.members[0].parameters())
    assert float(l1_norm(module.members[0]).detach()) == pytest.approx(expected)


def fake_trainer(training: bool, epoch: int = 2, batch_index: int = 5) -> SimpleNamespace:
    """What on_after_batch_transfer reads of a Trainer: the stage, epoch, batch being transferred, rank."""
    progress = SimpleNamespace(current=SimpleNamespace(ready=batch_index))
    loop = SimpleNamespace(epoch_loop=SimpleNamespace(batch_progress=progress))
    return SimpleNamespace(training=training, current_epoch=epoch, global_rank=0, fit_loop=loop, precision="32-true")


def test_augmented_members_read_the_augmented_view(tmp_path):
    splits = random_splits()
    variants = [Variant(), Variant(augment=True)]
    fit = fit_of(variants, tmp_path, splits)
    assert fit.module.views == (False, True) and fit.module.view_of == (0, 1)
    assert fit.datamodule.views == (False, True)
    # Each view is exactly the batch an ImageDataModule without / with augmentation and the same seed makes.
    stack = StackDataModule(splits, (False, True), batch_size=16, num_workers=0, seed=0, on_device=False)
    plain = ImageDataModule(splits, 16, 0, augment=False, seed=0, on_device=False)
    augmenting = ImageDataModule(splits, 16, 0, augment=True, seed=0, on_device=False)
    batch = (splits.train[0][:16], splits.train[1][:16])
    for module in (stack, plain, augmenting):
        module.trainer = fake_trainer(training=True)
    views, labels = stack.on_after_batch_transfer(batch, 0)
    assert views.shape == (2, 16, 3, 32, 32) and torch.equal(labels, batch[1])
    torch.testing.assert_close(views[0], plain.on_after_batch_transfer(batch, 0)[0], rtol=0, atol=0)
    torch.testing.assert_close(views[1], augmenting.on_after_batch_transfer(batch, 0)[0], rtol=0, atol=0)
    assert not torch.equal(views[0], views[1])
    stack.trainer = fake_trainer(training=False)  # evaluation: one plain view
    evaluated, _ = stack.on_after_batch_transfer(batch, 0)
    assert evaluated.shape == (1, 16, 3, 32, 32)
    torch.testing.assert_close(evaluated[0], views[0], rtol=0, atol=0)


def test_an_l1_members_step_is_sgds_with_the_l1_subgradient(tmp_path):
    variants = [Variant(weight_decay=0.0, l1=1e-2, momentum=0.0, lr=0.1), Variant(momentum=0.0, lr=0.1)]
    fit = fit_of(variants, tmp_path)
    module = fit.module
    module.trainer = fit.trainer
    images, labels = torch.randn(1, 8, 3, 32, 32), torch.arange(8) % 10
    before = [p.detach().clone() for p in module.members[0].parameters()]
    ce_grads = torch.autograd.grad(
        F.cross_entropy(module.members[0](images[0]), labels), module.members[0].parameters()
    )
    optimizer = module.configure_optimizers()["optimizer"]
    optimizer.zero_grad()
    module.training_step((images, labels), 0).backward()
    optimizer.step()
    for weight, old, grad in zip(module.members[0].parameters(), before, ce_grads, strict=True):
        torch.testing.assert_close(weight.detach(), old - 0.1 * (grad + 1e-2 * torch.sign(old)), rtol=1e-5, atol=1e-7)


def test_epoch_metrics_equal_scikit_learns(tmp_path):
    splits = random_splits(n_eval=45)  # 45 images in batches of 20: a partial last batch
    fit = fit_of([Variant(), Variant(lr=0.05)], tmp_path, splits, epochs=1)
    fit.trainer.fit(fit.module, datamodule=fit.datamodule)
    measured = fit.module.epoch_metrics("val")
    mean, std = fit.datamodule.mean[:, None, None], fit.datamodule.std[:, None, None]
    images = (splits.val[0].float() / 255 - mean) / std
    for k, member in enumerate(fit.module.members):
        member.eval()
        with torch.no_grad():
            probabilities = member(images).double().softmax(-1).numpy()
        labels = splits.val[1].numpy()
        assert measured["acc"][k] == pytest.approx(accuracy_score(labels, probabilities.argmax(1)), abs=1e-12)
        assert measured["loss"][k] == pytest.approx(log_loss(labels, probabilities, labels=range(10)), rel=1e-5)


def test_a_diverging_member_is_stopped_alone(tmp_path):
    variants = [Variant(lr=1e4), Variant(lr=0.01)]
    fit = fit_of(variants, tmp_path, epochs=3)
    fit.trainer.fit(fit.module, datamodule=fit.datamodule)
    assert fit.divergence.diverged_epoch == {0: 1}
    assert fit.module.active_members == [1] and bool(fit.module.frozen[0])
    assert all(not p.requires_grad for p in fit.module.members[0].parameters())
    history = fit.curves.history
    assert [row["epoch"] for row in history[variants[0].name]] == [1]  # no validation before: fit only
    assert history[variants[0].name][-1]["train/loss"] is None
    assert [row["epoch"] for row in history[variants[1].name]] == [1, 2, 3]
    assert all(math.isfinite(row["train/loss"]) for row in history[variants[1].name])


def test_the_fit_stops_when_every_member_diverged(tmp_path):
    fit = fit_of([Variant(lr=1e4), Variant(lr=1e5)], tmp_path, epochs=4)
    fit.trainer.fit(fit.module, datamodule=fit.datamodule)
    assert fit.divergence.diverged_epoch == {0: 1, 1: 1}
    assert fit.trainer.current_epoch == 1
    assert fit.best.state == [None, None]  # no epoch had a finite validation loss


class WeightsPerEpoch(pl.Callback):
    def __init__(self) -> None:
        self.states: dict[int, list[dict]] = {}

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        self.states[trainer.current_epoch + 1] = [
            {name: t.detach().clone() for name, t in m.state_dict().items()} for m in pl_module.members
        ]


def test_the_best_epoch_is_the_first_with_the_highest_validation_accuracy_and_its_weights_are_kept(tmp_path):
    fit = fit_of([Variant(lr=0.05), Variant(lr=0.2)], tmp_path, epochs=4)
    weights = WeightsPerEpoch()
    fit.trainer.callbacks.append(weights)
    fit.trainer.fit(fit.module, datamodule=fit.datamodule)
    for k, variant in enumerate(fit.variants):
        rows = fit.curves.history[variant.name]
        accuracies = [row["val/acc"] for row in rows]
        epoch = rows[accuracies.index(max(accuracies))]["epoch"]
        assert fit.best.epoch[k] == epoch and fit.best.acc[k] == max(accuracies)
        for name, tensor in fit.best.state[k].items():
            torch.testing.assert_close(tensor, weights.states[epoch][k][name], rtol=0, atol=0)


def test_vectorized_fits_match_looped_ones_with_mixed_views_and_a_frozen_member(tmp_path):
    """float64, so that rounding cannot move an image across a class boundary: every number must agree."""
    variants = [Variant(batch_norm=True, lr=1e6), Variant(batch_norm=True, augment=True), Variant(batch_norm=True)]
    histories = {}
    for mode in ("loop", "vectorized"):
        fit = fit_of(variants, tmp_path / mode, epochs=3, side_by_side=mode, precision="64-true")
        fit.trainer.fit(fit.module, datamodule=fit.datamodule)
        assert fit.divergence.diverged_epoch == {0: 1}
        histories[mode] = fit.curves.history
    assert any(None in row.values() for rows in histories["loop"].values() for row in rows)  # the diverged row
    for name, rows in histories["loop"].items():
        for a, b in zip(rows, histories["vectorized"][name], strict=True):
            assert b.keys() == a.keys(), name
            # A diverged member's non-finite values are kept as None: None must stay None, numbers must agree.
            assert [key for key in a if a[key] is None] == [key for key in b if b[key] is None], (name, a, b)
            numbers = [key for key in a if a[key] is not None]
            assert [b[key] for key in numbers] == pytest.approx([a[key] for key in numbers], rel=1e-9, abs=1e-12), name
