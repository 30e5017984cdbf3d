"""The course's SimpleNN: Table 2, weight/gradient histograms, and what all-zero weights do to gradients."""

from src.experiments.command import Experiment
from src.experiments.simplenn.config import SimpleNNConfig

SIMPLENN = Experiment(
    name="simplenn",
    config=SimpleNNConfig,
    help="SimpleNN: Table 2, weight/gradient histograms, the zero-initialisation study",
    description="The course's SimpleNN: per-layer shapes, parameters and MACs (Table 2), weight and gradient "
    "histograms at default and at zero init, why gradients vanish, and the classifier trained from both.",
    steps="src.experiments.simplenn.steps:SimpleNNSteps",
)
COMMANDS = (SIMPLENN,)

__all__ = ["COMMANDS", "SIMPLENN", "SimpleNNConfig"]
