"""EpochMSE: the full-dataset MSE and ||w - w*|| of every learning rate after each epoch (epoch 0 = initial)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback

from src.callbacks.checkpointing import FixedStateKey
from src.callbacks.subrun_writers import close_writers, open_subrun_writers, rate_run_name

MSE_TAG = "train/mse"
MSE_DB_TAG = "train/mse_db"  # 10 log10(MSE): the adaptive-filtering convention, readable on a linear axis
WEIGHT_ERROR_TAG = "train/weight_error"
WIENER_RUN = "wiener"


def decibels(mse: float) -> float:
    """10 log10(mse); NaN for a value that has no finite logarithm (0, inf, NaN)."""
    return 10.0 * math.log10(mse) if math.isfinite(mse) and mse > 0 else math.nan


class EpochMSE(FixedStateKey, Callback):
    """Records and logs, with the epoch as TensorBoard step, one sub-run per rate (curves overlay).

    The MSE is computed once per epoch on the whole dataset (one host sync per epoch, none per step). A frozen
    (diverged) rate is not written after the epoch it diverged; in decibels its curve runs up to and including
    that epoch (a 1e20 MSE is 200 dB: the rise shows without flattening the other curves), on the linear tags it
    stops before it. Non-finite values are never written. With `wiener_mse`, a 'wiener' sub-run draws the
    least-squares MSE as a flat reference line.
    """

    STATE_KEY = "epoch_mse"

    def __init__(
        self,
        X: torch.Tensor,
        D: torch.Tensor,
        w_star: np.ndarray | None = None,
        wiener_mse: float | None = None,
    ) -> None:
        self.X, self.D = X, D  # (N, p+1), (N,)
        self.w_star = None if w_star is None else np.asarray(w_star, dtype=np.float64)
        self.wiener_mse = wiener_mse
        self.mse_history: list[list[float]] = []  # [epoch][rate]
        self.weight_error_history: list[list[float]] = []  # [epoch][rate], empty without w_star
        self._writers: dict = {}
        self._frozen_when_last_written: list[bool] = []

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        if stage == "fit":
            names = [rate_run_name(r) for r in pl_module.lrs] + ([WIENER_RUN] if self.wiener_mse is not None else [])
            self._writers = open_subrun_writers(trainer, names, "EpochMSE")

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.X, self.D = self.X.to(pl_module.device), self.D.to(pl_module.device)
        self._frozen_when_last_written = pl_module.frozen.cpu().tolist()  # a resumed run: as at its checkpoint
        if not self.mse_history:  # a resumed run already has epoch 0
            self._record(pl_module, epoch=0)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._record(pl_module, epoch=trainer.current_epoch + 1)

    def teardown(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        close_writers(self._writers)

    def line_metrics(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> dict[str, float]:
        """The last epoch's MSE of each rate, for the epoch lines of a log (see EpochLines)."""
        if not self.mse_history:
            return {}
        lrs = list(pl_module.lrs)
        if len(lrs) == 1:
            return {MSE_TAG: self.mse_history[-1][0]}
        return {f"{MSE_TAG} {rate_run_name(lr)}": mse for lr, mse in zip(lrs, self.mse_history[-1], strict=True)}

    def _record(self, pl_module: pl.LightningModule, epoch: int) -> None:
        mse = pl_module.dataset_mse(self.X, self.D).cpu().tolist()
        frozen = pl_module.frozen.cpu().tolist()
        self.mse_history.append(mse)
        errors = None
        if self.w_star is not None:
            w = pl_module.weight_matrix().cpu().double().numpy()
            errors = np.linalg.norm(w - self.w_star, axis=1).tolist()
            self.weight_error_history.append(errors)
        for k, lr in enumerate(pl_module.lrs):
            writer = self._writers.get(rate_run_name(lr))
            diverged_now = frozen[k] and not self._frozen_when_last_written[k]
            if writer is None or (frozen[k] and not diverged_now):
                continue
            if math.isfinite(decibels(mse[k])):
                writer.add_scalar(MSE_DB_TAG, decibels(mse[k]), epoch)
            if diverged_now:
                continue
            if math.isfinite(mse[k]):
                writer.add_scalar(MSE_TAG, mse[k], epoch)
            if errors is not None and math.isfinite(errors[k]):
                writer.add_scalar(WEIGHT_ERROR_TAG, errors[k], epoch)
        self._frozen_when_last_written = frozen
        if WIENER_RUN in self._writers:
            self._writers[WIENER_RUN].add_scalar(MSE_TAG, self.wiener_mse, epoch)
            if math.isfinite(decibels(self.wiener_mse)):
                self._writers[WIENER_RUN].add_scalar(MSE_DB_TAG, decibels(self.wiener_mse), epoch)

    def state_dict(self) -> dict[str, Any]:
        return {"mse_history": self.mse_history, "weight_error_history": self.weight_error_history}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.mse_history = [list(row) for row in state_dict["mse_history"]]
        self.weight_error_history = [list(row) for row in state_dict["weight_error_history"]]
