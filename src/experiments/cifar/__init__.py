"""CIFAR-10 the course's way: its CNN and recipe, the lab's questions, and learning-rate decay as a bonus."""

from src.experiments.cifar.config import CifarConfig
from src.experiments.command import Experiment

CIFAR = Experiment(
    name="cifar",
    config=CifarConfig,
    help="the course's CIFAR-10 CNN and recipe, the initial loss, overfitting, and step decay (lab 1)",
    description="Trains the course's CIFAR-10 network (SimpleNNCifar: 82,030 parameters) with its recipe (SGD "
    "momentum 0.9, lr 0.01, L2 1e-4, batch 128, 30 epochs, 45,000/5,000 split), and beside it the same run with "
    "step learning-rate decay; answers the lab's questions from the run's numbers: the loss before training "
    "against ln 10, train vs validation accuracy per epoch and where overfitting starts, and what the decay "
    "changes. Tests each run's best epoch by validation accuracy.",
    steps="src.experiments.cifar.steps:CifarSteps",
)
COMMANDS = (CIFAR,)

__all__ = ["CIFAR", "COMMANDS", "CifarConfig"]
