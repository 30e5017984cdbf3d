"""StackClassifier: trains K image classifiers side by side in one fit, each with its own recipe."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn

from src.internals import LeanHookBookkeeping
from src.modules.member_metrics import MemberMetrics, as_floats, index_tensor
from src.modules.model_stack import ModelStack
from src.modules.recipe import EpochFactor, TrainingRecipe


class StackClassifier(LeanHookBookkeeping, pl.LightningModule):
    """Member k is `members[k]`, trained with `recipes[k]` on the training view it asks for (plain or augmented
    images: batches arrive as (V, B, C, H, W), see StackDataModule) with cross-entropy; every member has its own
    SGD param group (rate, momentum, weight decay), its own L1 term and its own step schedule. The members'
    losses are summed for one backward pass: member k's parameters appear in its loss only, so each gets
    exactly the gradient it would get alone. K = 1 is an ordinary single-model fit.

    Per-member train/val/test loss and accuracy accumulate in MemberMetrics (reset at each epoch's start);
    `epoch_metrics(stage)` reads them. A member can be frozen (diverged): it takes no further steps and is left
    out of the forward passes of training and validation. Nothing is logged through `self.log`: the callbacks
    write each member to its own TensorBoard sub-run (src/callbacks/member_curves.py).
    """

    def __init__(
        self,
        members: Sequence[nn.Module],
        recipes: Sequence[TrainingRecipe],
        *,
        input_shape: tuple[int, ...],
        vectorize: bool,
        channels_last: bool,
    ) -> None:
        super().__init__()
        if len(members) != len(recipes):
            raise ValueError(f"{len(members)} members but {len(recipes)} recipes")
        self.save_hyperparameters(
            {
                "recipes": [dataclasses.asdict(r) for r in recipes],
                "vectorize": vectorize,
                "channels_last": channels_last,
            }
        )
        self.recipes = tuple(recipes)
        self.views = training_views(self.recipes)
        self.view_of = tuple(self.views.index(recipe.augment) for recipe in self.recipes)
        self.stack = ModelStack(members, vectorize=vectorize)
        # Channels-last suits the looped members' convolutions; vmap folds members into channels its own way.
        self.channels_last = channels_last and not vectorize
        self.example_input_array = torch.zeros(1, *input_shape)
        k = len(members)
        self.train_metrics, self.val_metrics, self.test_metrics = MemberMetrics(k), MemberMetrics(k), MemberMetrics(k)
        self.register_buffer("frozen", torch.zeros(k, dtype=torch.bool))
        self._active = list(range(k))
        self._active_index: torch.Tensor | None = None
        self._all_index: torch.Tensor | None = None
        self._epoch_lrs = [r.lr for r in self.recipes]

    @property
    def members(self) -> nn.ModuleList:
        return self.stack.members

    @property
    def model(self) -> nn.Module:
        """Member 0: what the layer summary and single-model observers look at (every member has its shape)."""
        return self.stack.members[0]

    def configure_model(self) -> None:
        if self.channels_last:
            self.stack.to(memory_format=torch.channels_last)

    def forward(self, images: torch.Tensor) -> torch.Tensor:  # (B, C, H, W) -> (B, classes), member 0
        return self.model(images)

    # ---- the members' passes -------------------------------------------------------------------------------
    def _logits(self, views: torch.Tensor, view_of: Sequence[int], active: Sequence[int]) -> torch.Tensor:
        if self.channels_last:
            views = torch.stack([v.contiguous(memory_format=torch.channels_last) for v in views])
        return self.stack(views, view_of, active)  # (A, B, classes)

    def _losses(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Each member's mean cross-entropy over the batch, (A,). Looped: one call per member, exactly as each
        would compute it alone; vectorized: one call for all (one kernel instead of one per member)."""
        if self.stack.vectorize:
            members, batch = logits.shape[:2]
            flat = F.cross_entropy(logits.flatten(0, 1), labels.repeat(members), reduction="none")
            return flat.view(members, batch).mean(dim=1)
        return torch.stack([F.cross_entropy(member_logits, labels) for member_logits in logits])

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor | None:
        views, labels = batch  # (V, B, C, H, W), (B,)
        active = self._active
        if not active:  # every member diverged (MemberDivergence then stops the fit): nothing to train
            return None
        logits = self._logits(views, self.view_of, active)
        losses = self._losses(logits, labels)
        self.train_metrics.update(self._index(), losses, logits, labels)
        total = losses.sum()
        for k in active:
            if self.recipes[k].l1:
                total = total + self.recipes[k].l1 * l1_norm(self.members[k])
        return total

    def _evaluate(self, batch: tuple[torch.Tensor, torch.Tensor], metrics: MemberMetrics, everyone: bool) -> None:
        views, labels = batch  # (1, B, C, H, W): evaluation images are never augmented
        active = list(range(len(self.members))) if everyone else self._active
        logits = self._logits(views, [0] * len(self.members), active)
        index = self._everyone() if everyone else self._index()
        metrics.update(index, self._losses(logits, labels), logits, labels)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        self._evaluate(batch, self.val_metrics, everyone=False)

    def test_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        # Every member is tested (the experiment loads each one's best weights first, frozen or not).
        self._evaluate(batch, self.test_metrics, everyone=True)

    def _index(self) -> torch.Tensor:
        """The active members' indices on the device, made once per set of members (a tensor built from host
        values each step would copy, and synchronise, every step)."""
        if self._active_index is None or self._active_index.device != self.device:
            self._active_index = index_tensor(self._active, self.device)
        return self._active_index

    def _everyone(self) -> torch.Tensor:
        if self._all_index is None or self._all_index.device != self.device:
            self._all_index = index_tensor(range(len(self.members)), self.device)
        return self._all_index

    # ---- epochs --------------------------------------------------------------------------------------------
    def on_train_epoch_start(self) -> None:
        self.train_metrics.reset()
        # Read before the epoch's steps: Lightning steps epoch schedulers before on_train_epoch_end.
        self._epoch_lrs = [group["lr"] for group in self.trainer.optimizers[0].param_groups]

    def on_validation_epoch_start(self) -> None:
        self.val_metrics.reset()

    def on_test_epoch_start(self) -> None:
        self.test_metrics.reset()

    def epoch_metrics(self, stage: str) -> dict[str, list[float]]:
        """{"loss": [...], "acc": [...]} per member for the epoch so far of `stage` (train, val or test); under
        DDP every process must call it (the sums are added across processes)."""
        loss, acc = {"train": self.train_metrics, "val": self.val_metrics, "test": self.test_metrics}[stage].compute()
        return {"loss": as_floats(loss), "acc": as_floats(acc)}

    @property
    def epoch_lrs(self) -> list[float]:
        """Each member's learning rate in the current training epoch."""
        return list(self._epoch_lrs)

    # ---- optimizer, freezing -------------------------------------------------------------------------------
    def configure_optimizers(self) -> dict:
        groups = [
            {"params": list(member.parameters()), "lr": r.lr, "momentum": r.momentum, "weight_decay": r.weight_decay}
            for member, r in zip(self.members, self.recipes, strict=True)
        ]
        optimizer = torch.optim.SGD(groups, lr=self.recipes[0].lr)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, [EpochFactor(r) for r in self.recipes])
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "epoch"}}

    @property
    def active_members(self) -> list[int]:
        return list(self._active)

    def freeze_member(self, k: int) -> None:
        """Member k takes no more steps (SGD skips parameters without a gradient) and is no longer evaluated."""
        self.frozen[k] = True
        for parameter in self.members[k].parameters():
            parameter.requires_grad_(False)
            parameter.grad = None
        self._active = [j for j in self._active if j != k]
        self._active_index = None


def training_views(recipes: Sequence[TrainingRecipe]) -> tuple[bool, ...]:
    """The training views the members need, in a fixed order: (False,), (True,) or (False, True)."""
    return tuple(sorted({recipe.augment for recipe in recipes}))


def l1_norm(model: nn.Module) -> torch.Tensor:
    """sum(|p|) over every parameter of `model`."""
    return torch.stack([p.abs().sum() for p in model.parameters()]).sum()
