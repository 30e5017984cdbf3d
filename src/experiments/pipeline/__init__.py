"""The course's training-pipeline lab: augmentation, batch norm, Swish, learning rate, L2 and L1, as variants
of its CIFAR-10 recipe, each from the same initial weights."""

from src.experiments.command import Experiment
from src.experiments.pipeline.config import PipelineConfig

PIPELINE = Experiment(
    name="pipeline",
    config=PipelineConfig,
    help="the training-pipeline study: augmentation, batch norm, Swish, learning rate, L2, L1 (lab 2)",
    description="Trains every variant of the course's pipeline lab from the same seeded initialisation (the "
    "course notebook's main bug was not doing so): augmentation, batch norm (and the larger rates it allows), "
    "Swish, a learning-rate sweep, an L2 sweep and L1 instead of L2. Variants that share an architecture train "
    "side by side in one fit. One table, curves that overlay in TensorBoard, an HParams row per variant, and "
    "an interpretation written from the run's numbers.",
    steps="src.experiments.pipeline.steps:PipelineSteps",
)
COMMANDS = (PIPELINE,)

__all__ = ["COMMANDS", "PIPELINE", "PipelineConfig"]
