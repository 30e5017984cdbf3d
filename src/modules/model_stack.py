"""ModelStack: several models of one architecture run on one batch side by side, each with its own weights.

This is how a sweep of variants (learning rates, weight decays, ...) trains in a single fit, the way the LMS
sweep trains every rate at once: one batch stream, one Lightning loop, and per member its own parameters,
optimizer settings and loss. Two ways to run the members, with the same results (to float rounding):
- `vectorize=False`: a Python loop, member after member. On a CPU this is the fastest (the convolutions are
  compute-bound) and each member computes exactly what it would compute alone: results are bit-identical to
  separate runs.
- `vectorize=True`: torch.func.vmap over the members' stacked weights, so each layer of all members is one
  kernel (a grouped convolution, a batched matmul). A small CNN leaves a GPU mostly idle, and this fills it.
  The members' parameters stay separate tensors (stacked anew each step, so gradients reach them), because
  each member has its own optimizer param group; batch-norm running statistics are updated on the stacked
  copy and written back to the members.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
from torch import nn
from torch.func import functional_call, vmap


class ModelStack(nn.Module):
    def __init__(self, members: Sequence[nn.Module], vectorize: bool) -> None:
        super().__init__()
        if not members:
            raise ValueError("a ModelStack needs at least one member")
        names = [name for name, _ in members[0].named_parameters()]
        if any([name for name, _ in member.named_parameters()] != names for member in members):
            raise ValueError("the members of a ModelStack must share one architecture")
        self.members = nn.ModuleList(members)
        self.vectorize = vectorize
        self._parameter_names = names
        self._buffer_names = [name for name, _ in members[0].named_buffers()]
        # The architecture without storage, for functional_call; in a list so that it is not a submodule (it must
        # not be moved, saved or counted).
        self._template = [copy.deepcopy(members[0]).to("meta")]

    def __len__(self) -> int:
        return len(self.members)

    def forward(self, views: torch.Tensor, view_of: Sequence[int], active: Sequence[int]) -> torch.Tensor:
        """views (V, B, C, H, W): the batch as each member sees it (e.g. plain and augmented); member k reads
        views[view_of[k]]. Returns the logits of the `active` members, (len(active), B, num_classes)."""
        if not self.vectorize:
            return torch.stack([self.members[k](views[view_of[k]]) for k in active])
        template = self._template[0]
        if template.training != self.training:
            # Batch norm: batch statistics in training, running ones in evaluation. Synchronised here, not in
            # train(): Lightning restores modes after validation by setting each submodule's `training` flag.
            template.train(self.training)
        members = [self.members[k] for k in active]
        params = stacked(self._parameter_names, [list(m.parameters()) for m in members])
        buffers = stacked(self._buffer_names, [list(m.buffers()) for m in members])
        read = [view_of[k] for k in active]
        if len(set(read)) == 1:  # one input for all: vmap folds the members into the layers' output channels
            inputs, input_dim = views[read[0]], None
        else:  # stacked on the device, not indexed with a tensor built on the host (a copy that would sync)
            inputs, input_dim = torch.stack([views[i] for i in read]), 0  # (A, B, C, H, W)
        logits = vmap(self._call, in_dims=(0, 0, input_dim))(params, buffers, inputs)
        if self.training and buffers:
            with torch.no_grad():  # running statistics were updated in the stacked copy
                for name, values in buffers.items():
                    for member, value in zip(members, values, strict=True):
                        member.get_buffer(name).copy_(value)
        return logits

    def _call(self, params: dict, buffers: dict, x: torch.Tensor) -> torch.Tensor:
        return functional_call(self._template[0], (params, buffers), (x,))


def stacked(names: list[str], tensors: list[list[torch.Tensor]]) -> dict[str, torch.Tensor]:
    """name -> the members' tensors of that name stacked, (A, ...); tensors[member][i] is the i-th of `names`."""
    return {name: torch.stack([own[i] for own in tensors]) for i, name in enumerate(names)}
