"""The scores of a classifier run that its steps, report, summary and `predict` all read: the best validation
epoch (results["best_val"]) and the test of that epoch (results["test"])."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BestEpoch:
    """The epoch with the highest validation accuracy: the one kept as checkpoints/best.ckpt and tested."""

    epoch: int
    acc: float

    @classmethod
    def of_history(cls, history: list[dict]) -> BestEpoch | None:
        """From EpochHistory rows; None before the first epoch ended (ties: the earliest)."""
        if not history:
            return None
        best = max(history, key=lambda row: row["val/acc"])
        return cls(best["epoch"], best["val/acc"])

    @classmethod
    def of(cls, results: dict) -> BestEpoch | None:
        found = results.get("best_val")
        return None if found is None else cls(found["epoch"], found["acc"])

    def to_json(self) -> dict:
        return {"epoch": self.epoch, "acc": self.acc}


@dataclass(frozen=True)
class TestScore:
    """The test of the best epoch; `confusion` (see src/experiments/confusion.py) where the run keeps it."""

    __test__ = False  # not a pytest class

    loss: float
    acc: float
    confusion: dict | None = None

    @classmethod
    def of_metrics(cls, tested: dict, confusion: dict | None = None) -> TestScore:
        """From the metrics Trainer.test returns (test/loss, test/acc)."""
        return cls(tested["test/loss"], tested["test/acc"], confusion)

    @classmethod
    def of(cls, results: dict) -> TestScore | None:
        found = results.get("test")
        return None if found is None else cls(found["loss"], found["acc"], found.get("confusion"))

    def to_json(self) -> dict:
        score = {"loss": self.loss, "acc": self.acc}
        return score if self.confusion is None else {**score, "confusion": self.confusion}


def optional_json(score: BestEpoch | TestScore | None) -> dict | None:
    return None if score is None else score.to_json()
