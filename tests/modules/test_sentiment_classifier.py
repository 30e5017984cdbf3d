"""SentimentClassifier in a real fit: epoch metrics against scikit-learn, test probabilities in review order."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from src.data.text import ReviewDataModule, Reviews, Vocabulary, encode_reviews, tokenize
from src.modules.sentiment_classifier import SentimentClassifier


def tiny_reviews(n: int, seed: int) -> Reviews:
    generator = torch.Generator().manual_seed(seed)
    words = ["great", "awful", "plot", "actor", "boring", "moving", "scene", "music"]
    texts, labels = [], []
    for _ in range(n):
        picked = torch.randint(
            0, len(words), (int(torch.randint(1, 12, (1,), generator=generator)),), generator=generator
        )
        tokens = [words[i] for i in picked]
        texts.append(" ".join(tokens))
        labels.append(
            int(tokens.count("great") + tokens.count("moving") >= tokens.count("awful") + tokens.count("boring"))
        )
    return Reviews(tuple(texts), tuple(labels))


def probability_and_loss(outputs: torch.Tensor, label: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One review's (1, output_dim) outputs: its probability of positive and loss, as the notebook's
    nn.CrossEntropyLoss computes it for two outputs and nn.BCEWithLogitsLoss for one."""
    if outputs.shape[1] == 1:
        return torch.sigmoid(outputs[0, 0]), F.binary_cross_entropy_with_logits(
            outputs[0, 0], torch.tensor(float(label))
        )
    return torch.softmax(outputs[0], 0)[1], F.cross_entropy(outputs, torch.tensor([int(label)]))


@pytest.mark.parametrize("output_dim", [1, 2])
def test_metrics_and_test_probabilities(cpu_trainer, output_dim):
    torch.manual_seed(0)
    train, test = tiny_reviews(120, 1), tiny_reviews(40, 2)
    vocabulary = Vocabulary.build([tokenize(t) for t in train.texts], min_freq=1)
    encoded = [encode_reviews(r, vocabulary, 256) for r in (train, test, test)]
    data = ReviewDataModule(*encoded, batch_size=16, eval_batch_size=7, seed=0)
    module = SentimentClassifier(
        vocab_size=len(vocabulary), embedding_dim=8, hidden_dim=8, num_layers=1, bidirectional=True, dropout=0.0,
        cell="lstm", course_init=False, output_dim=output_dim, lr=0.02, eps=1e-8, weight_decay=0.0, warmup_steps=3,
        test_size=len(test),
    )  # fmt: skip
    assert module.model.fc.out_features == output_dim
    trainer = cpu_trainer(max_epochs=3, num_sanity_val_steps=0)
    trainer.fit(module, datamodule=data)
    logged = trainer.test(module, datamodule=data, verbose=False)[0]
    probabilities = module.test_probabilities
    with torch.no_grad():  # each review alone, in order: what the batched, length-sorted test must equal
        alone = [
            probability_and_loss(module.eval()(ids[None], torch.tensor([len(ids)])), label)
            for ids, label in zip(encoded[1].ids, test.labels, strict=True)
        ]
    torch.testing.assert_close(probabilities, torch.stack([p for p, _ in alone]), atol=1e-6, rtol=0)
    assert logged["test/loss"] == pytest.approx(float(torch.stack([loss for _, loss in alone]).mean()), abs=1e-5)
    predicted, truth = (probabilities > 0.5).int().numpy(), list(test.labels)
    assert logged["test/acc"] == pytest.approx(accuracy_score(truth, predicted), abs=1e-6)
    assert logged["test/f1"] == pytest.approx(f1_score(truth, predicted), abs=1e-6)
    assert logged["test/balanced_acc"] == pytest.approx(balanced_accuracy_score(truth, predicted), abs=1e-6)
    assert logged["test/acc"] > 0.75  # the rule is learnable: the fit did learn


def test_logits_that_happen_to_lie_in_0_1_are_still_logits():
    """torchmetrics thresholds values within [0, 1] as probabilities; a logit of 0.3 is a probability of 0.57,
    positive. (Fed the logits, BinaryAccuracy would call these reviews negative.)"""
    from src.modules.sentiment_classifier import StageMetrics

    metrics = StageMetrics()
    logits, labels = torch.tensor([0.3, 0.1, 0.9, 0.0]), torch.tensor([1.0, 1.0, 1.0, 0.0])
    metrics.update(torch.tensor(0.5), logits, labels)
    values = metrics.compute_and_reset()
    predicted = (torch.sigmoid(logits) > 0.5).int().numpy()
    assert float(values["acc"]) == pytest.approx(accuracy_score(labels.int().numpy(), predicted)) == 1.0
