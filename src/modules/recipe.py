"""Training recipes: how one model is trained (optimizer, regularisation, schedule), apart from what it is.

`TrainingRecipe` is the grid's (cifar, pipeline: SGD, L1/L2, a step schedule in epochs, augmentation);
`ClassifierRecipe` is ImageClassifier's (classify, resnet: SGD or Adam, an epoch or iteration schedule).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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


@dataclass(frozen=True)
class ClassifierRecipe:
    """ImageClassifier's training: `optimizer` "sgd" or "adam"; `lr_decay` "none", "cosine", "step" (x0.1 at half
    and three quarters of `max_epochs`) or "milestones" (x0.1 at each optimizer step in `milestones`, after
    `warmup_steps` at a tenth of the rate); `max_steps` ends training after that many steps, validating that
    last, partial epoch. `nesterov` None: Nesterov momentum whenever momentum > 0.

    The fields an option sets have no default here (their defaults live in src/config); the rest default to
    "off". The fields are saved flat in the module's hyperparameters, as the keyword arguments they once were.
    """

    optimizer: str
    lr: float
    momentum: float
    weight_decay: float
    lr_decay: str
    max_epochs: int
    nesterov: bool | None = None
    milestones: tuple[int, ...] = ()
    warmup_steps: int = 0
    max_steps: int | None = None

    def as_hparams(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_hparams(cls, hparams: Mapping[str, Any]) -> ClassifierRecipe:
        return cls(**{field.name: hparams[field.name] for field in dataclasses.fields(cls)})
