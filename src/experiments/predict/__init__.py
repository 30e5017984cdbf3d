"""`predict RUN`: an image classifier run's best checkpoint labels a test set, in the course's CSV format."""

from __future__ import annotations

from dataclasses import dataclass

from src.config import Options
from src.experiments.command import Command
from src.experiments.predict.config import PredictConfig


@dataclass(frozen=True)
class PredictCommand(Command):
    def run(self, cfg: Options, given: frozenset[str]) -> int:
        from src.experiments.predict.predict import predict  # torch loads only when it runs

        predict(cfg)
        return 0


PREDICT = PredictCommand(
    name="predict",
    config=PredictConfig,
    help="label a test set with an image classifier run's best checkpoint: predictions.csv (Id,Label)",
    description="Loads the best checkpoint of an image classifier run (classify, resnet; cifar and pipeline: a "
    "variant's) and writes predictions.csv with the header Id,Label and one row per test image in file order, "
    "next to predictions.json (the test accuracy, per-class accuracy and confusion matrix when the images have "
    "labels). A test batch without labels (a hidden test set) gets predictions and no accuracy.",
    positional="run",
)
COMMANDS = (PREDICT,)

__all__ = ["COMMANDS", "PREDICT", "PredictConfig"]
