"""What a sentiment run's numbers say: the test set's outcomes review by review and the references a result is
measured against (where overfitting starts: src/experiments/overfitting.py, as for every lab)."""

from __future__ import annotations

import torch

from src.data.text import EncodedReviews, Reviews, Vocabulary
from src.experiments.confusion import confusion_results

CLASSES = ("negative", "positive")
SHOWN_CHARACTERS = 300  # of a review's text in the report


def predicted_positive(probabilities: torch.Tensor) -> torch.Tensor:
    """Positive when the probability is above 0.5, as the metrics count it."""
    return probabilities > 0.5


def test_confusion(probabilities: torch.Tensor, labels: torch.Tensor) -> dict:
    """Rows = true class (negative, positive), columns = predicted."""
    truth, predicted = labels.long(), predicted_positive(probabilities).long()
    matrix = [[int(((truth == t) & (predicted == p)).sum()) for p in (0, 1)] for t in (0, 1)]
    return confusion_results(matrix, CLASSES)


def binary_scores(matrix: list[list[int]]) -> dict:
    """Accuracy, F1 of the positive class and balanced accuracy (the mean of both classes' recalls) of a 2 x 2
    matrix with rows = true (negative, positive); F1 is 0 with no true positive, as scikit-learn's."""
    (tn, fp), (fn, tp) = matrix
    recalls = [tn / (tn + fp) if tn + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0]
    return {
        "acc": (tn + tp) / (tn + fp + fn + tp),
        "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "balanced_acc": sum(recalls) / 2,
    }


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
    """Always predicting the training split's majority class, scored on the test split (its balanced accuracy
    is 50 %: all of one class right, none of the other)."""
    majority = int(float(train_labels.mean()) >= 0.5)
    answers = torch.full_like(test_labels, float(majority))
    scores = binary_scores(test_confusion(answers, test_labels)["matrix"])
    return {"class": CLASSES[majority], "accuracy": scores.pop("acc"), **scores}  # f1, balanced_acc


def published_reference(data_name: str) -> dict | None:
    """What a from-scratch model reaches on this kind of data, by the literature or the course, and the test
    metric to hold against it. Both references were measured on balanced data, where accuracy is balanced
    accuracy; the run's classes need not be balanced (the embedded snippets are 58 % positive), so the run's
    balanced accuracy is what compares."""
    if data_name == "rotten_tomatoes":
        return {
            "metric": "balanced_acc",
            "range": [0.75, 0.77],
            "text": "sentence-level movie-review polarity, models trained from scratch: about 75-77 % "
            "(Kim 2014, CNN-rand: 76.1 % accuracy on Pang & Lee's balanced 5,331 / 5,331 snippets, with 10-fold "
            "cross-validation; one seeded 7:1:2 split of 58 % positive snippets here, hence balanced accuracy)",
        }
    if data_name.startswith(("imdb", "aclimdb")):
        return {
            "metric": "balanced_acc",
            "range": [0.864, 0.864],
            "text": "the course notebook's LSTM: 86.4 % test accuracy on IMDB's balanced 25,000 / 25,000 reviews",
        }
    return None
