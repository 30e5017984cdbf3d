"""Learning-rate milestones counted in optimizer steps: at the right iterations whatever the batch size, and
a training length in iterations that validates its last, partial epoch."""

from __future__ import annotations

import math

import pytest
import torch
from pytorch_lightning.callbacks import Callback

from src.config import Machine
from src.data import ImageSplits
from src.errors import UserError
from src.experiments.resnet.config import ResNetConfig, training_length
from src.modules.step_schedule import StepSchedule
from tests.builders import classifier, datamodule


class RatesSeen(Callback):
    def __init__(self) -> None:
        self.rates: list[float] = []  # the rate each optimizer step used
        self.validated_at: list[int] = []

    def on_before_optimizer_step(self, trainer, pl_module, optimizer) -> None:
        self.rates.append(optimizer.param_groups[0]["lr"])

    def on_validation_epoch_end(self, trainer, pl_module) -> None:
        self.validated_at.append(trainer.global_step)


def tiny_splits(n: int = 30) -> ImageSplits:
    generator = torch.Generator().manual_seed(0)
    make = lambda k: (  # noqa: E731
        torch.randint(0, 256, (k, 3, 32, 32), dtype=torch.uint8, generator=generator),
        torch.randint(0, 10, (k,), generator=generator),
    )
    return ImageSplits("tiny", "test", tuple("abcdefghij"), make(n), make(6), make(6))


def test_the_schedule_function():
    schedule = StepSchedule((32_000, 48_000))
    assert schedule(0) == schedule(31_999) == 1.0
    assert schedule(32_000) == schedule(47_999) == pytest.approx(0.1)
    assert schedule(48_000) == schedule(63_999) == pytest.approx(0.01)
    warm = StepSchedule((10,), warmup_steps=4)
    assert [warm(s) for s in (0, 3, 4, 9, 10)] == pytest.approx([0.1, 0.1, 1.0, 1.0, 0.1])


@pytest.mark.parametrize("batch_size", [4, 7, 30])
def test_milestones_land_on_the_same_iterations_for_any_batch_size(cpu_trainer, batch_size):
    splits = tiny_splits()
    total, milestones = 17, (6, 11)
    per_epoch = math.ceil(30 / batch_size)
    module = classifier(
        optimizer="sgd",
        lr=0.5,
        lr_decay="none",
    )
    module.hparams.update(lr_decay="milestones", milestones=milestones, warmup_steps=2, max_steps=total)
    seen = RatesSeen()
    trainer = cpu_trainer(max_epochs=math.ceil(total / per_epoch), callbacks=[seen], num_sanity_val_steps=0)
    trainer.fit(module, datamodule=datamodule(splits, batch_size=batch_size))
    expected = [0.5 * (0.1 if s < 2 else 1.0) * 0.1 ** sum(s >= m for m in milestones) for s in range(total)]
    assert seen.rates == pytest.approx(expected, rel=1e-12)
    assert trainer.global_step == total
    assert seen.validated_at[-1] == total  # the partial last epoch was validated, so best.ckpt can be it


def test_training_length_in_iterations_or_epochs():
    paper = ResNetConfig().resolved(Machine())
    assert training_length(paper, 45_000) == {
        "iterations": 64_000,
        "steps_per_epoch": 352,
        "epochs": 182,
        "milestones": [32_000, 48_000],
        "milestone_epochs": [32_000 / 352, 48_000 / 352],
        "warmup_iterations": 0,
    }
    bigger = ResNetConfig(batch_size=256).resolved(Machine())
    assert training_length(bigger, 45_000)["milestones"] == [32_000, 48_000]  # iterations, not epochs
    assert training_length(bigger, 45_000)["epochs"] == math.ceil(64_000 / 176)
    by_epochs = ResNetConfig(epochs=10).resolved(Machine())
    assert training_length(by_epochs, 1437) | {"milestone_epochs": None} == {
        "iterations": 120,
        "steps_per_epoch": 12,
        "epochs": 10,
        "milestones": [60, 90],
        "milestone_epochs": None,
        "warmup_iterations": 0,
    }
    assert (
        training_length(paper, 45_000, world_size=2)["steps_per_epoch"] == 176
    )  # each process a batch of its half of the data
    assert training_length(ResNetConfig(depth=110).resolved(Machine()), 45_000)["warmup_iterations"] == 400
    assert (
        training_length(ResNetConfig(depth=110, iterations=100).resolved(Machine()), 45_000)["warmup_iterations"] == 10
    )
    with pytest.raises(
        UserError, match="--warmup-iterations: 200 is not shorter than the training \\(100 iterations\\)"
    ):
        training_length(ResNetConfig(iterations=100, warmup_iterations=200).resolved(Machine()), 45_000)
    with pytest.raises(UserError, match="--milestones: 200 is not before the end of training \\(120 iterations\\)"):
        training_length(ResNetConfig(epochs=10, milestones=(50, 200)).resolved(Machine()), 1437)


def test_a_very_short_training_keeps_the_default_milestones_it_can():
    short = lambda n: training_length(ResNetConfig(iterations=n).resolved(Machine()), 1437)["milestones"]  # noqa: E731
    assert (short(1), short(3), short(4), short(10)) == ([], [2], [2, 3], [5, 8])


def test_the_course_target_is_an_epoch_within_the_first_200():
    from src.experiments.resnet.analysis import course_target

    schedule = {"iterations": 120_000, "epochs": 341}  # longer than the paper's recipe
    history = [{"epoch": 50, "val/acc": 0.91}, {"epoch": 300, "val/acc": 0.89}]
    assert course_target(history, "cifar10", schedule)["met"] is True
    late = [{"epoch": 200, "val/acc": 0.9}, {"epoch": 201, "val/acc": 0.95}]  # 90 % is not more than 90 %
    assert course_target(late, "cifar10", schedule)["met"] is False
    assert course_target([], "cifar10", schedule)["met"] is None  # interrupted before the first epoch ended
    assert course_target(history, "digits", schedule) == {
        "val_acc": 0.9,
        "max_epochs": 200,
        "applies": False,
        "met": None,
        "epochs": 50,
        "recipe_epochs": 200,
    }
