"""SimpleNN as an image classifier: the embedded digits, or CIFAR-10 from a local download."""

from src.experiments.classify.config import ClassifyConfig
from src.experiments.command import Experiment

CLASSIFY = Experiment(
    name="classify",
    config=ClassifyConfig,
    help="SimpleNN as an image classifier (embedded digits, or CIFAR-10 with --data-dir)",
    description="Trains SimpleNN (without its final ReLU) with cross-entropy; logs the layer summary, losses, "
    "accuracies and weight/gradient histograms to TensorBoard, and tests the epoch with the best validation "
    "accuracy.",
    steps="src.experiments.classify.steps:ClassifySteps",
)
COMMANDS = (CLASSIFY,)

__all__ = ["CLASSIFY", "COMMANDS", "ClassifyConfig"]
