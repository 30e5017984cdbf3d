"""What a sentiment run's numbers say: where overfitting starts, the test set's outcomes review by review, and
the references a result is measured against."""

from __future__ import annotations

import torch

from src.data.text import EncodedReviews, Reviews, Vocabulary
from src.experiments.confusion import confusion_results

CLASSES = ("negative", "positive")
SHOWN_CHARACTERS = 300  # of a review's text in the report


def overfitting(history: list[dict]) -> dict | None:
    """The epoch with the lowest validation loss (the kept one) and, when a later epoch's validation loss is
    higher while its training loss is lower, the first such epoch: where overfitting shows."""
    rows = [row for row in history if "val/loss" in row and "train/loss" in row]
    if not rows:
        return None
    best = min(rows, key=lambda row: row["val/loss"])
    later = [r for r in rows if r["epoch"] > best["epoch"]]
    start = next((r for r in later if r["val/loss"] > best["val/loss"] and r["train/loss"] < best["train/loss"]), None)
    last = rows[-1]
    return {
        "best_epoch": best["epoch"],
        "best_val_loss": best["val/loss"],
        "from_epoch": None if start is None else start["epoch"],
        "last_epoch": last["epoch"],
        "val_loss_rise": last["val/loss"] - best["val/loss"],
        "train_loss_fall": best["train/loss"] - last["train/loss"],
    }


def predicted_positive(probabilities: torch.Tensor) -> torch.Tensor:
    """Positive when the probability is above 0.5, as the metrics count it."""
    return probabilities > 0.5


def test_confusion(probabilities: torch.Tensor, labels: torch.Tensor) -> dict:
    """Rows = true class (negative, positive), columns = predicted."""
    truth, predicted = labels.long(), predicted_positive(probabilities).long()
    matrix = [[int(((truth == t) & (predicted == p)).sum()) for p in (0, 1)] for t in (0, 1)]
    return confusion_results(matrix, CLASSES)


def review_outcome(
    index: int, reviews: Reviews, encoded: EncodedReviews, vocabulary: Vocabulary, probabilities: dict
) -> dict:
    """One test review as the report shows it: its text, the words the model read (<unk> for words outside the
    vocabulary), its label and each preset's prediction with its confidence (the probability of the
    predicted class)."""
    text = reviews.texts[index]
    shown = text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS].rstrip() + " …"
    outcome = {
        "index": index,
        "text": shown,
        "tokens": vocabulary.decode(encoded.ids[index].tolist()),
        "label": CLASSES[reviews.labels[index]],
        "predictions": {},
    }
    for preset, p in probabilities.items():
        positive = float(p[index])
        predicted = int(positive > 0.5)
        confidence = positive if predicted else 1.0 - positive
        outcome["predictions"][preset] = {
            "label": CLASSES[predicted],
            "probability_positive": positive,
            "confidence": confidence,
        }
    return outcome


def most_confidently_wrong(probabilities: torch.Tensor, labels: torch.Tensor, count: int) -> list[int]:
    """Test reviews predicted wrongly, the most confident first (ties: lower index first)."""
    wrong = (predicted_positive(probabilities).float() != labels).nonzero().flatten().tolist()
    confidence = {i: abs(float(probabilities[i]) - 0.5) for i in wrong}
    return sorted(wrong, key=lambda i: (-confidence[i], i))[:count]


def majority_baseline(train_labels: torch.Tensor, test_labels: torch.Tensor) -> dict:
    """Always predicting the training split's majority class, scored on the test split."""
    majority = int(float(train_labels.mean()) >= 0.5)
    return {"class": CLASSES[majority], "accuracy": float((test_labels == majority).float().mean())}


def published_reference(data_name: str) -> dict | None:
    """What a from-scratch model reaches on this kind of data, by the literature or the course."""
    if data_name == "rotten_tomatoes":
        return {
            "range": [0.75, 0.77],
            "text": "sentence-level movie-review polarity, models trained from scratch: about 75-77 % "
            "(Kim 2014, CNN-rand: 76.1 % on Pang & Lee's snippets; 10-fold cross-validation there, one "
            "seeded 7:1:2 split here)",
        }
    if data_name.startswith(("imdb", "aclimdb")):
        return {"range": [0.864, 0.864], "text": "the course notebook's LSTM: 86.4 % test accuracy on IMDB"}
    return None
