"""StepSchedule: the learning-rate multiple at each optimizer step, for milestones counted in iterations."""

from __future__ import annotations


class StepSchedule:
    """LambdaLR's function, stepped once per optimizer step: `gamma` to the power of the milestones passed
    (0.1 at 32,000 and 48,000 iterations for the ResNet paper's CIFAR recipe), and `warmup_factor` during the
    first `warmup_steps` steps (the paper's 0.01 start for ResNet-110). Counting steps, not epochs, keeps the
    drops on the same iterations whatever the batch size or the number of batches per epoch. A class of plain
    numbers, so that the scheduler's state_dict stays plain data."""

    def __init__(
        self, milestones: tuple[int, ...], warmup_steps: int = 0, gamma: float = 0.1, warmup_factor: float = 0.1
    ) -> None:
        self.milestones = tuple(sorted(milestones))
        self.warmup_steps, self.gamma, self.warmup_factor = warmup_steps, gamma, warmup_factor

    def __call__(self, step: int) -> float:
        """The multiple of the base rate for the step after `step` optimizer steps have been taken."""
        passed = sum(1 for milestone in self.milestones if step >= milestone)
        warmup = self.warmup_factor if step < self.warmup_steps else 1.0
        return warmup * self.gamma**passed
