"""A course's or a paper's target against a run: met, not met, or not comparable (a shorter run than the recipe
the target was set for, which has not reached it, says nothing about what the recipe reaches)."""

from __future__ import annotations


def target_met(reached: bool, trained: int, recipe: int, diverged: bool = False) -> bool | None:
    """True when the run reached the target; False when it missed it after at least the recipe's length
    (`trained` and `recipe` in one unit: epochs or iterations) or `diverged` (more epochs would not bring it
    back); None when it missed it in a shorter run."""
    if reached:
        return True
    return False if trained >= recipe or diverged else None


def target_verdict(met: bool | None, trained: int, recipe: int, unit: str = "epochs") -> str:
    """'met', 'not met', or 'not comparable: 3 of 30 epochs' (target_met's None)."""
    if met is None:
        return f"not comparable: {trained:,} of {recipe:,} {unit}"
    return "met" if met else "not met"


def epochs_trained(history: list[dict]) -> int:
    """The last epoch in a variant's history (rows counted from 1; epoch 0 is the validation before training)."""
    return max((row["epoch"] for row in history), default=0)
