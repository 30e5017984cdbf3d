"""The CIFAR-10 labs' interpretations on constructed results: every sentence is the one the numbers call for."""

from __future__ import annotations

import math

import pytest

from src.experiments.cifar.analysis import course_target, initial_loss
from src.experiments.cifar.report import decay_text, initial_loss_text, target_text
from src.experiments.grid import Variant
from src.experiments.pipeline import findings


def variant(best=None, epoch=3, diverged=None, train_acc=None, gap=None, small=None, **settings) -> dict:
    v = Variant(**settings)
    return {
        "name": v.name,
        "settings": v.hparams(),
        "best_val": None if best is None else {"epoch": epoch, "acc": best},
        "diverged_epoch": diverged,
        "final": None if train_acc is None else {"train_acc": train_acc, "val_acc": train_acc - gap, "gap": gap},
        "small_weights": small,
    }


RUN = {"config": {"epochs": 5}, "data": {"name": "cifar10"}}


def test_equal_rates_tie_instead_of_one_being_called_best():
    rates = [variant(0.50, lr=0.1), variant(0.5004, lr=0.01), variant(0.30, lr=0.001)]
    said = findings.learning_rate(rates, RUN)
    assert said[0] == "The rates 0.1 and 0.01 tie for the best validation accuracy, 50.04 % (within 0.1 points)."
    alone = findings.learning_rate([variant(0.6, lr=0.1), variant(0.5, lr=0.01)], RUN)
    assert alone[0] == "The best rate is 0.1: 60.00 % (epoch 3)."


def test_diverged_rates_are_named_with_their_epoch():
    rates = [variant(None, diverged=1, lr=1.0), variant(0.6, lr=0.1, train_acc=0.7, gap=0.1)]
    said = " ".join(findings.learning_rate(rates, RUN))
    assert "Stopped as diverged (non-finite loss): lr 1 in epoch 1; the other rates went on." in said
    assert "No rate diverged" in " ".join(findings.learning_rate([variant(0.6, lr=0.1)], RUN))
    every = " ".join(
        findings.learning_rate([variant(None, diverged=1, lr=1.0), variant(None, diverged=2, lr=2.0)], RUN)
    )
    assert "lr 1 in epoch 1, lr 2 in epoch 2." in every and "went on" not in every


def test_batch_norm_allows_a_rate_only_when_the_numbers_show_it():
    base, bn = variant(0.60, lr=0.01), variant(0.65, lr=0.01, batch_norm=True)
    diverging = findings.batchnorm(
        [base, bn, variant(None, diverged=2, lr=0.5), variant(0.7, lr=0.5, batch_norm=True)], RUN
    )
    assert diverging[1].endswith("Batch norm keeps this rate trainable where the plain network diverges.")
    tolerates = findings.batchnorm([base, bn, variant(0.40, lr=0.1), variant(0.66, lr=0.1, batch_norm=True)], RUN)
    assert "by -20.0 points without batch norm and by +1.0 points with it: batch norm tolerates" in tolerates[1]
    neither = findings.batchnorm([base, bn, variant(0.59, lr=0.1), variant(0.64, lr=0.1, batch_norm=True)], RUN)
    assert neither[1].endswith("these numbers do not show batch norm tolerating this rate better.")
    lower = findings.batchnorm([base, bn, variant(0.5, lr=0.001), variant(0.6, lr=0.001, batch_norm=True)], RUN)
    assert "Lowering the rate from 0.01" in lower[1]


def test_swish_against_relu_says_which_wins_or_that_they_tie():
    relu = variant(0.70, batch_norm=True, lr=0.1)
    assert findings.swish([relu, variant(0.72, batch_norm=True, lr=0.1, activation="swish")], RUN)[0].startswith(
        "Swish beats ReLU by 2.0 points"
    )
    assert findings.swish([relu, variant(0.7001, activation="swish")], RUN)[0].startswith(
        "Swish reaches the same best validation accuracy as ReLU"
    )


def test_augmentation_on_digits_warns_that_flips_change_labels():
    pair = [variant(0.8, train_acc=0.9, gap=0.1), variant(0.7, train_acc=0.75, gap=0.05, augment=True)]
    on_cifar = findings.augmentation(pair, RUN)
    assert on_cifar[0].startswith("With augmentation the network falls behind the one without by 10.0 points")
    assert "narrows the final train - validation gap" in on_cifar[1]
    assert "fits its training images less well" in on_cifar[2]
    assert not any("mirrored" in s for s in on_cifar)
    assert any("mirrored" in s for s in findings.augmentation(pair, {**RUN, "data": {"name": "digits"}}))


def test_l1_against_l2_reports_the_small_weights():
    small_l2 = {"threshold": 1e-3, "layers": {"conv1": 0.01, "fc1": 0.02}, "overall": 0.018}
    small_l1 = {"threshold": 1e-3, "layers": {"conv1": 0.02, "fc1": 0.40}, "overall": 0.35}
    said = findings.l1([variant(0.6, small=small_l2), variant(0.58, small=small_l1, weight_decay=0, l1=1e-4)], RUN)
    assert said[1].startswith(
        "After training, 35.0 % of the weights are below 0.001 in magnitude with L1, against 1.8 %"
    )
    assert said[2] == "The largest difference is in fc1: 40.0 % (L1) vs 2.0 % (L2)."


def history(val_losses, train_losses=None):
    rows = [{"epoch": 0, "val/loss": 2.31, "val/acc": 0.1}]
    for epoch, loss in enumerate(val_losses, start=1):
        train = (train_losses or [2.0 - 0.1 * epoch] * len(val_losses))[epoch - 1]
        rows.append(
            {
                "epoch": epoch,
                "train/loss": train,
                "train/acc": 0.5 + 0.05 * epoch,
                "val/loss": loss,
                "val/acc": 0.5,
                "train/lr": 0.01,
            }
        )
    return {"name": "run", "history": rows}


@pytest.mark.parametrize(
    ("best", "epochs", "diverged", "met", "said"),
    [
        (0.70, 3, None, True, "**met** (70.00 %)."),  # reached early: met, however short the run
        (0.50, 3, None, None, "**not comparable: 3 of 30 epochs** (50.00 %)."),  # missed in a tenth of the recipe
        (0.50, 30, None, False, "**not met** (50.00 %)."),  # missed over the recipe's whole length
        (0.50, 3, 3, False, "**not met** (50.00 %)."),  # diverged: more epochs would not bring it back
    ],
)
def test_the_course_target_is_judged_only_against_the_recipes_length(best, epochs, diverged, met, said):
    run = {**history([1.0] * epochs), "best_val": {"epoch": 1, "acc": best}, "diverged_epoch": diverged}
    target = course_target(run, "cifar10")
    assert (target["met"], target["epochs"], target["recipe_epochs"]) == (met, epochs, 30)
    assert target_text(target, run["best_val"], "cifar10").endswith(said)


def test_the_initial_loss_is_compared_with_ln_of_the_classes():
    found = initial_loss(history([1.0]), classes=10)
    assert found["ln_classes"] == math.log(10) and found["difference"] == 2.31 - math.log(10)
    assert "They agree because" in initial_loss_text(found)
    far = initial_loss({"history": [{"epoch": 0, "val/loss": 3.0, "val/acc": 0.1}]}, classes=10)
    assert "They differ by more than 0.1" in initial_loss_text(far)


def test_a_decay_that_never_starts_is_called_the_same_run():
    constant = {**history([1.2, 1.1]), "name": "a", "best_val": {"epoch": 2, "acc": 0.5}, "final": None}
    decayed = {**constant, "name": "b", "settings": Variant(decay_every=5, decay_factor=0.5).hparams()}
    assert "the rate never changes within these 2 epochs" in decay_text(constant, decayed, {})


def test_variant_names_keep_distinct_values_distinct():
    """Regression: names used :g, so lr 0.1 and 0.1000001 shared a name, a sub-run and a checkpoint."""
    assert Variant(lr=0.1).name != Variant(lr=0.1000001).name
    assert Variant().name == "lr=0.01_wd=0.0001"
    assert Variant(augment=True, batch_norm=True, activation="swish", lr=1.0, weight_decay=0.0, l1=1e-5).name == (
        "aug_bn_swish_lr=1.0_wd=0.0_l1=1e-05"
    )


def pipeline_results(winner_epochs: int, winner_acc: float) -> dict:
    def variant(name: str, epochs: int, acc: float) -> dict:
        history = [{"epoch": e, "val/acc": acc} for e in range(epochs + 1)]
        return {"name": name, "history": history, "best_val": {"epoch": epochs, "acc": acc}, "diverged_epoch": None}

    return {
        "data": {"name": "cifar10"},
        "variants": [variant("winner", winner_epochs, winner_acc), variant("other", 30, winner_acc - 0.1)],
        "fits": [{"epochs": winner_epochs}, {"epochs": 30}],
    }


@pytest.mark.parametrize(
    ("epochs", "acc", "said"),
    [
        (5, 0.65, "**not comparable: 5 of 30 epochs** (`winner`, 65.00 %)."),  # another fit ran all 30
        (30, 0.65, "**not met** (`winner`, 65.00 %)."),
        (5, 0.72, "**met** (`winner`, 72.00 %)."),
    ],
)
def test_the_pipeline_target_counts_the_winners_own_epochs(epochs, acc, said):
    from src.experiments.pipeline.report import target_text

    assert target_text(pipeline_results(epochs, acc)).endswith(said)
