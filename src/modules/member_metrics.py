"""MemberMetrics: cross-entropy and accuracy of several models on the same batches, one value per model."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torchmetrics import Metric


class MemberMetrics(Metric):
    """Sums per member (float64, over samples) of the loss and of correct answers, and the samples counted.

    `compute()` gives (loss, acc), each (K,): exact means over the samples each member saw, NaN for a member
    that saw none (a frozen one). Under DDP the sums are added across processes, so the means are over all
    samples, not a mean of per-process means (Lightning's DistributedSampler repeats a few samples to fill the
    last batch when a split does not divide by the number of processes).
    """

    full_state_update = False

    def __init__(self, members: int) -> None:
        super().__init__()
        self.members = members
        for name in ("loss_sum", "correct", "count"):
            self.add_state(name, torch.zeros(members, dtype=torch.float64), dist_reduce_fx="sum")

    def update(self, index: torch.Tensor, losses: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        """index (A,): the members these rows belong to; losses (A,) batch means; logits (A, B, C); labels (B,)."""
        batch = labels.numel()
        self.loss_sum.index_add_(0, index, losses.detach().double() * batch)
        self.correct.index_add_(0, index, (logits.detach().argmax(-1) == labels).sum(-1).double())
        self.count.index_add_(0, index, torch.full_like(losses, batch, dtype=torch.float64))

    def compute(self) -> tuple[torch.Tensor, torch.Tensor]:
        count = torch.where(self.count > 0, self.count, torch.nan)
        return self.loss_sum / count, self.correct / count


def as_floats(values: torch.Tensor) -> list[float]:
    # torchmetrics squeezes a one-element result to a 0-d tensor: one member is still a list of one.
    return [float(v) for v in values.reshape(-1).cpu().tolist()]


def index_tensor(members: Sequence[int], device: torch.device) -> torch.Tensor:
    return torch.tensor(list(members), dtype=torch.long, device=device)
