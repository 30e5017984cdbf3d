"""TrainingRecipe: how one model is trained (optimizer, regularisation, schedule, augmentation)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainingRecipe:
    """SGD with momentum (not Nesterov, as the course), L2 as SGD's `weight_decay`, an optional L1 penalty
    `l1 * sum(|p|)` added to the loss, and a step schedule: the rate times `decay_factor` every `decay_every`
    epochs (0: constant). Both penalties cover every parameter (weights, biases, batch-norm scales and shifts),
    so that "L1 instead of L2" changes only the penalty. `augment`: the member trains on augmented images."""

    lr: float
    momentum: float
    weight_decay: float
    l1: float = 0.0
    decay_every: int = 0
    decay_factor: float = 1.0
    augment: bool = False


class EpochFactor:
    """LambdaLR's function for one param group: the multiple of `lr` used in epoch `epoch` (0-based). A class
    holding two numbers, so that the scheduler's state_dict stays plain data."""

    def __init__(self, recipe: TrainingRecipe) -> None:
        self.every, self.factor = recipe.decay_every, recipe.decay_factor

    def __call__(self, epoch: int) -> float:
        return self.factor ** (epoch // self.every) if self.every else 1.0
