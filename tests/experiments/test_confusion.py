"""Per-class accuracy and the confusion table against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, recall_score

from src.experiments.confusion import confusion_markdown, confusion_results, most_confused


def test_against_scikit_learn():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 200)  # class 3 never occurs
    predicted = np.where(rng.random(200) < 0.7, truth, rng.integers(0, 4, 200))
    classes = ("cat", "dog", "frog", "ship")
    matrix = confusion_matrix(truth, predicted, labels=range(4))
    found = confusion_results(matrix.tolist(), classes)
    assert found["accuracy"] == pytest.approx(accuracy_score(truth, predicted))
    recalls = recall_score(truth, predicted, labels=range(3), average=None)
    assert [found["per_class"][name] for name in classes[:3]] == pytest.approx(list(recalls))
    assert found["per_class"]["ship"] is None and found["images"] == 200
    off = [(i, j, matrix[i, j]) for i in range(4) for j in range(4) if i != j]
    top = max(off, key=lambda cell: cell[2])
    assert most_confused(found, classes, 1) == [(classes[top[0]], classes[top[1]], top[2])]
    table = confusion_markdown(found, classes).splitlines()
    assert table[2].startswith(f"| cat | **{matrix[0, 0]}** | {matrix[0, 1]} |") and table[-1].endswith("| — |")
