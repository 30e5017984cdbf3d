"""The smallest experiment: a config, two steps, and the defaults for the rest (see docs/development.md)."""

from src.experiments.command import Experiment
from tiny_experiment.config import TinyConfig

TINY = Experiment(
    name="tiny",
    config=TinyConfig,
    help="SimpleNN on the embedded digits, reported by the defaults",
    description="Trains SimpleNN for two epochs and reports what it logged.",
    steps="tiny_experiment.steps:TinySteps",
)
COMMANDS = (TINY,)

__all__ = ["COMMANDS", "TINY", "TinyConfig"]
