"""SentimentClassifier: trains SentimentRNN with cross-entropy (binary for one output), Adam and a linear
warm-up."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torchmetrics import MeanMetric
from torchmetrics.classification import BinaryAccuracy, BinaryF1Score, BinaryRecall, BinarySpecificity

from src.internals import LeanHookBookkeeping
from src.modules.epoch_lr import EpochLearningRate
from src.modules.sentiment_rnn import SentimentRNN, positive_logit


class WarmupFactor:
    """LambdaLR's function: `step / warmup` for the first `warmup` optimizer steps (0 at the first), then 1;
    transformers' get_constant_schedule_with_warmup, as the course used. Plain numbers: a plain state_dict."""

    def __init__(self, warmup: int) -> None:
        self.warmup = warmup

    def __call__(self, step: int) -> float:
        return step / self.warmup if step < self.warmup else 1.0


def head_loss(outputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean per review: binary cross-entropy of a (B, 1) head's logit, or cross-entropy of a (B, 2) head's two,
    as the notebook (both are -log p(true class): the same number for the same log-odds of positive)."""
    if outputs.shape[1] == 1:
        return F.binary_cross_entropy_with_logits(outputs[:, 0], labels)
    return F.cross_entropy(outputs, labels.long())


class StageMetrics(torch.nn.Module):
    """Loss (exact mean over reviews), accuracy, F1 of the positive class and balanced accuracy (the mean of
    the recalls of both classes) of one stage, accumulated over an epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.loss, self.acc, self.f1 = MeanMetric(), BinaryAccuracy(), BinaryF1Score()
        self.recall, self.specificity = BinaryRecall(), BinarySpecificity()
        for metric in (self.loss, self.acc, self.f1, self.recall, self.specificity):
            metric.persistent(True)  # a checkpoint taken mid-epoch carries the half-finished epoch's sums

    def update(self, loss: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        target = labels.long()
        self.loss.update(loss, weight=labels.numel())
        # Probabilities, not logits: torchmetrics applies the sigmoid only to a batch with a value outside
        # [0, 1], so a batch of logits all within [0, 1] would be thresholded as if they were probabilities.
        probabilities = torch.sigmoid(logits)
        for metric in (self.acc, self.f1, self.recall, self.specificity):
            metric.update(probabilities, target)  # positive when the probability is > 0.5

    def compute_and_reset(self) -> dict[str, torch.Tensor]:
        values = {
            "loss": self.loss.compute(),
            "acc": self.acc.compute(),
            "f1": self.f1.compute(),
            "balanced_acc": (self.recall.compute() + self.specificity.compute()) / 2,
        }
        for metric in (self.loss, self.acc, self.f1, self.recall, self.specificity):
            metric.reset()
        return values


class SentimentClassifier(LeanHookBookkeeping, EpochLearningRate, pl.LightningModule):
    """Logs {train,val,test}/{loss,acc,f1,balanced_acc} once per epoch and train/lr. Testing keeps every test
    review's probability of being positive, in review order (`test_probabilities`), for the report."""

    def __init__(
        self,
        *,
        vocab_size: int,
        embedding_dim: int,
        hidden_dim: int,
        num_layers: int,
        bidirectional: bool,
        dropout: float,
        cell: str,
        course_init: bool,
        output_dim: int,
        lr: float,
        eps: float,
        weight_decay: float,
        warmup_steps: int,
        test_size: int,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.model = SentimentRNN(
            vocab_size, embedding_dim, hidden_dim, num_layers, bidirectional, dropout, cell, course_init, output_dim
        )
        self.train_metrics, self.val_metrics, self.test_metrics = StageMetrics(), StageMetrics(), StageMetrics()
        self.test_probabilities = torch.full((test_size,), float("nan"))

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.model(ids, lengths)

    def _step(self, batch, metrics: StageMetrics) -> tuple[torch.Tensor, torch.Tensor]:
        ids, lengths, labels, _ = batch
        outputs = self(ids, lengths).float()  # (B, output_dim)
        loss = head_loss(outputs, labels)
        logits = positive_logit(outputs)  # (B,) log-odds of positive, whichever the head
        metrics.update(loss.detach(), logits.detach(), labels)
        return loss, logits

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        return self._step(batch, self.train_metrics)[0]

    def validation_step(self, batch, batch_idx: int) -> None:
        self._step(batch, self.val_metrics)

    def test_step(self, batch, batch_idx: int) -> None:
        _, logits = self._step(batch, self.test_metrics)
        self.test_probabilities[batch[3].cpu()] = torch.sigmoid(logits.detach()).cpu()

    def _log_stage(self, stage: str, metrics: StageMetrics) -> None:
        self.log_dict({f"{stage}/{name}": value for name, value in metrics.compute_and_reset().items()})

    def on_train_epoch_end(self) -> None:
        self._log_stage("train", self.train_metrics)
        self.log("train/lr", self.epoch_lr)

    def on_validation_epoch_end(self) -> None:
        self._log_stage("val", self.val_metrics)

    def on_test_epoch_end(self) -> None:
        self._log_stage("test", self.test_metrics)

    def configure_optimizers(self) -> dict:
        hp = self.hparams
        optimizer = torch.optim.Adam(self.parameters(), lr=hp.lr, eps=hp.eps, weight_decay=hp.weight_decay)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, WarmupFactor(hp.warmup_steps))
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}
