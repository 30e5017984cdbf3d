"""The one overfitting rule and its wording, on constructed histories: a validation rise counts only while the
training loss keeps falling."""

from __future__ import annotations

import pytest

from src.experiments.overfitting import overfitting, overfitting_brief, overfitting_text


def history(train, val, train_acc=None, val_acc=None):
    rows = [{"epoch": 0, "val/loss": 2.3, "val/acc": 0.1}]  # before training: no training loss, left out
    for e, (t, v) in enumerate(zip(train, val, strict=True), start=1):
        row = {"epoch": e, "train/loss": t, "val/loss": v}
        if train_acc is not None:
            row |= {"train/acc": train_acc[e - 1], "val/acc": val_acc[e - 1]}
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    ("train", "val", "verdict", "lowest", "starts"),
    [
        ([0.7, 0.6, 0.5, 0.4], [0.69, 0.62, 0.64, 0.70], "overfitting", 2, 3),  # val up, train down: from 3
        ([0.7, 0.6, 0.5], [0.69, 0.62, 0.55], "none", 3, None),  # still improving at the end
        ([0.7, 0.6, 0.65], [0.69, 0.62, 0.66], "unstable", 2, None),  # both up together: not overfitting
        ([0.7, 0.6, 0.5, 0.4], [0.69, 0.60, 0.60, 0.61], "overfitting", 2, 4),  # a tie is not a rise
        ([0.7, 0.6, 0.65, 0.5], [0.69, 0.60, 0.64, 0.63], "overfitting", 2, 4),  # unstable at 3, overfits at 4
        ([0.7, 0.6, 0.6], [0.69, 0.60, 0.60], "none", 2, None),  # flat after the minimum: no rise
    ],
)
def test_the_rule(train, val, verdict, lowest, starts):
    found = overfitting(history(train, val))
    assert (found["verdict"], found["lowest_epoch"], found["starts"]) == (verdict, lowest, starts)
    first_rise = next((e for e, v in enumerate(val, start=1) if e > lowest and v > min(val)), None)
    assert found["first_rise"] == first_rise
    assert found["lowest_val_loss"] == min(val) and found["train_loss_at_lowest"] == train[lowest - 1]
    assert (found["last_epoch"], found["last_val_loss"], found["last_train_loss"]) == (len(val), val[-1], train[-1])


def test_a_validation_rise_while_training_improves_is_overfitting_from_that_epoch():
    accuracies = [0.5, 0.6, 0.7, 0.8, 0.9], [0.5, 0.55, 0.6, 0.6, 0.65]  # train, validation
    found = overfitting(history([2.0, 1.8, 1.6, 1.4, 1.2], [1.5, 1.2, 1.1, 1.3, 1.4], *accuracies))
    assert found["gap_at_lowest"] == pytest.approx(0.1) and found["last_gap"] == pytest.approx(0.25)
    assert overfitting_text(found) == (
        "Validation loss is lowest at epoch 3 (1.1000); at epoch 4 the validation loss is above it (1.3000) while "
        "the training loss keeps falling (1.6000 at epoch 3 -> 1.4000): **overfitting starts at epoch 4**. At the "
        "last epoch, 5, the validation loss is +0.3000 and the training loss -0.4000 against epoch 3. The train - "
        "validation accuracy gap goes from +10.0 points at epoch 3 to +25.0 points at epoch 5."
    )
    assert overfitting_brief(found) == "overfitting from epoch 4"


def test_both_losses_rising_is_called_unstable_not_overfitting():
    found = overfitting(history([2.0, 1.8, 1.9, 2.4], [1.5, 1.2, 1.3, 1.9]))
    assert found["verdict"] == "unstable" and found["starts"] is None and found["first_rise"] == 3
    text = overfitting_text(found)
    assert text == (
        "Validation loss is lowest at epoch 2 (1.2000); later epochs end above it (1.3000 at epoch 3), but the "
        "training loss is no lower than there (1.8000 at epoch 2 -> 1.9000): the network fits its training images "
        "no better either. Not overfitting: **training became unstable**."
    )
    assert "overfitting starts" not in text
    assert overfitting_brief(found) == "val loss up from epoch 3, training loss no lower: unstable, not overfitting"


def test_the_lowest_validation_loss_at_the_last_epoch_is_no_overfitting_within_these_epochs():
    found = overfitting(history([2.0, 1.8, 1.6], [1.5, 1.2, 1.1]))
    assert found["verdict"] == "none" and found["first_rise"] is None
    assert overfitting_text(found) == (
        "Validation loss is lowest at epoch 3 (1.1000), the last epoch: no overfitting within these 3 epochs."
    )
    assert overfitting_brief(found) == "val loss lowest at the last epoch"
    flat = overfitting(history([2.0, 1.8, 1.6], [1.5, 1.1, 1.1]))
    assert overfitting_text(flat).endswith(", and no later epoch ends above it: no overfitting within these 3 epochs.")


def test_rows_without_finite_losses_are_left_out():
    diverged = [*history([2.0, 1.8], [1.5, 1.2]), {"epoch": 3, "train/loss": None, "val/loss": None}]
    assert overfitting(diverged)["last_epoch"] == 2
    assert overfitting([{"epoch": 0, "val/loss": 2.3}]) is None
    assert overfitting_text(None) == "No epoch finished with finite training and validation losses."


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_rows_with_nan_or_infinite_losses_are_left_out(bad):
    first_bad = overfitting(history([bad, 0.6, 0.5], [bad, 0.6, 0.7]))  # a NaN minimum would hide everything
    assert (first_bad["lowest_epoch"], first_bad["starts"]) == (2, 3)
    last_bad = overfitting(history([0.7, 0.6, bad], [0.69, 0.62, bad]))  # inf is no rise: the epoch is left out
    assert (last_bad["verdict"], last_bad["last_epoch"]) == ("none", 2)


def test_the_sentence_quotes_where_overfitting_starts_not_the_first_rise():
    found = overfitting(history([0.7, 0.6, 0.65, 0.5], [0.69, 0.60, 0.64, 0.63]))
    assert (found["first_rise"], found["starts"]) == (3, 4)
    assert (found["val_loss_at_rise"], found["train_loss_at_rise"]) == (0.63, 0.5)
    assert "**overfitting starts at epoch 4**" in overfitting_text(found) and "(0.6300)" in overfitting_text(found)
