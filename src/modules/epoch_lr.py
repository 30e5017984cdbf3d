"""EpochLearningRate: the learning rate an epoch started with, which `train/lr` reports, kept across a resume."""

from __future__ import annotations


class EpochLearningRate:
    """Mixin for a LightningModule with one optimizer: `epoch_lr` is the first param group's rate at the start
    of the current epoch. Lightning steps epoch schedulers at the epoch's last batch, before on_train_epoch_end,
    so the rate is read at the epoch's start. A run resumed mid-epoch gets no on_train_epoch_start for that
    epoch, and a per-step schedule may have changed the rate since the epoch began: the value travels in the
    checkpoint (`epoch_lr`). A subclass overriding these hooks calls super()."""

    epoch_lr: float | None = None
    _restored_epoch_lr: float | None = None

    def _optimizer_lr(self) -> float:
        return self.trainer.optimizers[0].param_groups[0]["lr"]

    def on_train_start(self) -> None:
        restored = self._restored_epoch_lr
        self.epoch_lr = restored if restored is not None else self._optimizer_lr()

    def on_train_epoch_start(self) -> None:
        self.epoch_lr = self._optimizer_lr()

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint["epoch_lr"] = self.epoch_lr

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self._restored_epoch_lr = checkpoint.get("epoch_lr")
