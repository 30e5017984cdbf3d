"""DivergenceDetector: freezes a learning rate whose LMS run blows up, and remembers the epoch it happened."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback

from src.callbacks.checkpointing import FixedStateKey


class DivergenceDetector(FixedStateKey, Callback):
    """After every epoch, a rate has diverged when its weights are not all finite or its full-dataset MSE
    exceeds `ratio` x its initial MSE. It is then frozen (the other rates go on) and `diverged_epoch[k]`
    holds that epoch; when every rate has diverged the fit stops.

    Like EarlyStopping, this callback acts on training: a diverged rate would otherwise run on to inf/NaN.
    When the initial weights already fit to rounding level (initial MSE below 1e-12 x mean(D**2), e.g. the
    optimum on noise-free data), 1e6 x that MSE is still rounding noise and any step would look like
    divergence; the reference is then mean(D**2), the MSE of all-zero weights.
    """

    STATE_KEY = "divergence"
    NEGLIGIBLE = 1e-12  # relative to mean(D**2)

    def __init__(self, X: torch.Tensor, D: torch.Tensor, ratio: float = 1e6) -> None:
        if not ratio > 1:
            raise ValueError(f"ratio must be > 1, got {ratio}")
        self.X, self.D = X, D
        self.ratio = ratio
        self.reference_mse: list[float] | None = None
        self.diverged_epoch: list[int | None] = []

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.X, self.D = self.X.to(pl_module.device), self.D.to(pl_module.device)
        if self.reference_mse is None:  # a resumed run keeps its original reference
            initial = pl_module.dataset_mse(self.X, self.D)
            scale = (self.D * self.D).mean()
            self.reference_mse = torch.where(initial > self.NEGLIGIBLE * scale, initial, scale).cpu().tolist()
            self.diverged_epoch = [None] * len(pl_module.lrs)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        weights_finite = torch.isfinite(pl_module.weight_matrix()).all(dim=1)
        mse = pl_module.dataset_mse(self.X, self.D)
        limit = self.ratio * torch.tensor(self.reference_mse, dtype=mse.dtype, device=mse.device)
        # `mse <= limit` is False for NaN, so NaN counts as diverged too.
        diverged = (~weights_finite | ~(mse <= limit)) & ~pl_module.frozen
        for k in diverged.nonzero().flatten().tolist():
            pl_module.freeze_rate(k)
            self.diverged_epoch[k] = trainer.current_epoch + 1
        if bool(pl_module.frozen.all()):
            trainer.should_stop = True

    def state_dict(self) -> dict[str, Any]:
        return {"reference_mse": self.reference_mse, "diverged_epoch": self.diverged_epoch}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.reference_mse = state_dict["reference_mse"]
        self.diverged_epoch = list(state_dict["diverged_epoch"])
