"""LMS (Widrow-Hoff) against the Wiener solution: one learning rate, or a sweep of rates in one fit."""

from src.experiments.command import Experiment
from src.experiments.lms.config import LMSConfig, LMSSweepConfig

LMS_SWEEP = Experiment(
    name="lms-sweep",
    config=LMSSweepConfig,
    help="LMS for several learning rates side by side in one fit",
    description="LMS for several learning rates in one fit; each rate has its own weights and sees one sample per "
    "step. A rate that diverges is frozen and reported with its epoch.",
    steps="src.experiments.lms.steps:LMSSteps",
)
LMS = Experiment(
    name="lms",
    config=LMSConfig,
    help="LMS for one learning rate",
    description="The LMS (Widrow-Hoff) filter for one learning rate, against the Wiener solution.",
    steps="src.experiments.lms.steps:LMSSteps",
)
COMMANDS = (LMS_SWEEP, LMS)

__all__ = ["COMMANDS", "LMS", "LMS_SWEEP", "LMSConfig", "LMSSweepConfig"]
