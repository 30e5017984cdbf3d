"""The sentiment report's judgements, on hand-made numbers."""

from __future__ import annotations

import pytest
import torch

from src.experiments.sentiment.analysis import majority_baseline, most_confidently_wrong, overfitting


def history(train, val):
    return [{"epoch": e, "train/loss": t, "val/loss": v} for e, (t, v) in enumerate(zip(train, val, strict=True), 1)]


@pytest.mark.parametrize(
    ("train", "val", "best", "start"),
    [
        ([0.7, 0.6, 0.5, 0.4], [0.69, 0.62, 0.64, 0.70], 2, 3),  # val rises while train falls: from epoch 3
        ([0.7, 0.6, 0.5], [0.69, 0.62, 0.55], 3, None),  # still improving at the end
        ([0.7, 0.6, 0.65], [0.69, 0.62, 0.66], 2, None),  # val worse, but train worse too: not overfitting
        ([0.7, 0.6, 0.5, 0.4], [0.69, 0.60, 0.60, 0.61], 2, 4),  # a tie is not a rise
    ],
)
def test_where_overfitting_starts(train, val, best, start):
    found = overfitting(history(train, val))
    assert (found["best_epoch"], found["from_epoch"]) == (best, start)
    assert found["val_loss_rise"] == pytest.approx(val[-1] - min(val))


def test_most_confidently_wrong_and_the_majority_class():
    probabilities = torch.tensor([0.9, 0.2, 0.51, 0.05, 0.7])
    labels = torch.tensor([0.0, 0.0, 0.0, 1.0, 1.0])  # wrong: 0 (0.9), 2 (0.51), 3 (0.05)
    assert most_confidently_wrong(probabilities, labels, 2) == [3, 0]  # |p - 0.5|: 0.45 and 0.40
    assert majority_baseline(torch.tensor([1.0, 1.0, 0.0]), labels) == {
        "class": "positive",
        "accuracy": pytest.approx(0.4),
    }
