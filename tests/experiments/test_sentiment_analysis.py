"""The sentiment report's judgements, on hand-made numbers."""

from __future__ import annotations

import pytest
import torch
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from src.experiments.sentiment.analysis import (
    binary_scores,
    majority_baseline,
    most_confidently_wrong,
    published_reference,
)
from src.experiments.sentiment.analysis import test_confusion as confusion_of
from src.experiments.sentiment.report import reference_lines


def test_most_confidently_wrong_and_the_majority_class():
    probabilities = torch.tensor([0.9, 0.2, 0.51, 0.05, 0.7])
    labels = torch.tensor([0.0, 0.0, 0.0, 1.0, 1.0])  # wrong: 0 (0.9), 2 (0.51), 3 (0.05)
    assert most_confidently_wrong(probabilities, labels, 2) == [3, 0]  # |p - 0.5|: 0.45 and 0.40
    assert majority_baseline(torch.tensor([1.0, 1.0, 0.0]), labels) == {
        "class": "positive",
        "accuracy": pytest.approx(0.4),
        "f1": pytest.approx(f1_score([0, 0, 0, 1, 1], [1] * 5)),
        "balanced_acc": 0.5,
    }


@pytest.mark.parametrize("seed", range(4))
def test_binary_scores_agree_with_scikit_learn(seed):
    generator = torch.Generator().manual_seed(seed)
    labels = (torch.rand(40, generator=generator) < 0.3).float()
    probabilities = torch.rand(40, generator=generator)
    truth, predicted = labels.int().tolist(), (probabilities > 0.5).int().tolist()
    scores = binary_scores(confusion_of(probabilities, labels)["matrix"])
    assert scores["acc"] == pytest.approx(accuracy_score(truth, predicted))
    assert scores["f1"] == pytest.approx(f1_score(truth, predicted))
    assert scores["balanced_acc"] == pytest.approx(balanced_accuracy_score(truth, predicted))


def comparison(acc: float, balanced_acc: float) -> dict:
    """results.json's parts that the comparison with the baselines and the literature reads."""
    scores = {"acc": acc, "balanced_acc": balanced_acc, "f1": 0.78}
    return {
        "presets": {"default": {"test": scores}},
        "majority_baseline": {"class": "positive", "accuracy": 0.58, "f1": 0.73, "balanced_acc": 0.5},
        "bag_of_words": {
            "model": "TF-IDF",
            "features": 1_000,
            "seconds": 0.4,
            "test": {"acc": 0.77, "balanced_acc": 0.75, "f1": 0.8},
        },
        "reference": published_reference("rotten_tomatoes"),
    }


@pytest.mark.parametrize(
    ("acc", "balanced_acc", "verdict"),
    [
        (0.76, 0.73, "by balanced accuracy below the reference (75.0 % to 77.0 %)"),  # within it by accuracy
        (0.79, 0.755, "by balanced accuracy within the reference"),  # above it by accuracy
        (0.76, 0.78, "by balanced accuracy above the reference"),
    ],
)
def test_the_verdict_on_unbalanced_snippets_follows_balanced_accuracy(acc, balanced_acc, verdict):
    """Kim (2014)'s 76.1 % is on balanced snippets; the embedded ones are 58 % positive."""
    lines = reference_lines(comparison(acc, balanced_acc))
    line = next(line for line in lines if line.startswith("- default:"))
    assert verdict in line
    assert f"balanced accuracy {100 * balanced_acc:.2f} % ({100 * (balanced_acc - 0.75):+.1f} points on the bag" in line
    assert f"accuracy {100 * acc:.2f} % ({100 * (acc - 0.58):+.1f} points on the majority class)" in line
    header, _, *rows = lines[: lines.index("")]
    assert header == "| test set | default | bag of words | majority class (positive) |"
    assert rows[1] == f"| balanced accuracy | {100 * balanced_acc:.2f} % | 75.00 % | 50.00 % |"
