"""ResNet on CIFAR-10: the network and recipe of He et al. (2016), Section 4.2, with per-class test results."""

from src.experiments.command import Experiment
from src.experiments.resnet.config import ResNetConfig

RESNET = Experiment(
    name="resnet",
    config=ResNetConfig,
    help="ResNet-20 (--depth 32, 44, 56, 110) with the paper's recipe; per-class test accuracy (lab 3)",
    description="Trains the CIFAR-10 ResNet of He et al. (2016), Section 4.2 (depth 6n + 2, option A shortcuts "
    "by default) with the paper's recipe: SGD momentum 0.9, weight decay 1e-4, batch 128, lr 0.1 divided by 10 "
    "at 32,000 and 48,000 iterations, 64,000 iterations, random crop and flip, 45,000/5,000 split. Keeps and "
    "tests the epoch with the best validation accuracy: per-class accuracy, confusion matrix, time per epoch. "
    "Write predictions for a test set with `predict RUN --data-dir DIR`.",
    steps="src.experiments.resnet.steps:ResNetSteps",
)
COMMANDS = (RESNET,)

__all__ = ["COMMANDS", "RESNET", "ResNetConfig"]
