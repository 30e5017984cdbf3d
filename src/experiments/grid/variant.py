"""Variant: one training setting of the course's CIFAR-10 network (model options and recipe), and its name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from src.modules.recipe import TrainingRecipe


def number(value: float) -> str:
    """A rate or coefficient as people write it: 0.01, 0.0001, 1e-05, 1."""
    return f"{value:g}"


def exact(value: float) -> str:
    """A value in a name: repr keeps every pair of distinct floats distinct (0.1 and 0.1000001 would both be
    '0.1' with :g), the rule src/callbacks/subrun_writers.py's rate_run_name follows for LMS rates."""
    return repr(float(value))


@dataclass(frozen=True)
class Variant:
    augment: bool = False
    batch_norm: bool = False
    activation: str = "relu"
    lr: float = 0.01
    momentum: float = 0.9
    weight_decay: float = 1e-4
    l1: float = 0.0
    decay_every: int = 0  # 0: constant rate
    decay_factor: float = 0.5

    @property
    def name(self) -> str:
        """Unique among variants that share a momentum, and a valid directory name (its TensorBoard sub-run):
        e.g. 'lr=0.01_wd=0.0001', 'aug_bn_lr=1.0_wd=0.0001', 'lr=0.01_wd=0.0_l1=0.0001'."""
        parts = [flag for flag, on in (("aug", self.augment), ("bn", self.batch_norm)) if on]
        parts += [self.activation] if self.activation != "relu" else []
        parts += [f"lr={exact(self.lr)}", f"wd={exact(self.weight_decay)}"]
        parts += [f"l1={exact(self.l1)}"] if self.l1 else []
        parts += [f"decay={exact(self.decay_factor)}@{self.decay_every}"] if self.decay_every else []
        return "_".join(parts)

    @property
    def architecture(self) -> str:
        """What the network is (variants with one architecture can train side by side): relu, bn-relu, ..."""
        return f"bn-{self.activation}" if self.batch_norm else self.activation

    def settings(self) -> str:
        """For a person, compactly: 'aug, BN, ReLU, lr 0.1, L2 0.0001'."""
        parts = ["aug" if self.augment else "no aug", "BN" if self.batch_norm else "no BN"]
        parts += ["Swish" if self.activation == "swish" else "ReLU", f"lr {number(self.lr)}"]
        parts += [f"L2 {number(self.weight_decay)}"] + ([f"L1 {number(self.l1)}"] if self.l1 else [])
        if self.decay_every:
            parts.append(f"lr x{number(self.decay_factor)} every {self.decay_every} epochs")
        return ", ".join(parts)

    def hparams(self) -> dict[str, bool | float | int | str]:
        """The settings as TensorBoard's HParams tab shows them."""
        return {
            "augment": self.augment,
            "batch_norm": self.batch_norm,
            "activation": self.activation,
            "lr": self.lr,
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
            "l1": self.l1,
            "decay_every": self.decay_every,
            "decay_factor": self.decay_factor if self.decay_every else 1.0,
        }

    def recipe(self) -> TrainingRecipe:
        from src.modules.recipe import TrainingRecipe  # src.modules imports torch: only when training

        return TrainingRecipe(
            lr=self.lr,
            momentum=self.momentum,
            weight_decay=self.weight_decay,
            l1=self.l1,
            decay_every=self.decay_every,
            decay_factor=self.decay_factor,
            augment=self.augment,
        )
