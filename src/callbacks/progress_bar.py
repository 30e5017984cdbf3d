"""ProgressBar: Lightning's tqdm bar, counting epochs from 1 like every report, and saying which run it is."""

from __future__ import annotations

import pytorch_lightning as pl
from pytorch_lightning.callbacks import TQDMProgressBar

from src.internals import restart_epoch_bar


class ProgressBar(TQDMProgressBar):
    """`label` names the run when one command trains several (e.g. 'zero init'); `v_num` (the tail of
    'version_N', e.g. 'on_0') is left out.

    The epoch description is set here, not by Lightning's own hook, which numbers epochs from 0 and would show
    that for a moment (and for good in a log file) before being overwritten.
    """

    def __init__(self, refresh_rate: int = 1, label: str | None = None) -> None:
        super().__init__(refresh_rate=refresh_rate)
        self.label = label

    def on_train_epoch_start(self, trainer: pl.Trainer, *args: object) -> None:
        epoch = f"Epoch {trainer.current_epoch + 1}/{trainer.max_epochs}"
        description = f"{self.label} · {epoch}" if self.label else epoch
        restart_epoch_bar(self.train_progress_bar, self.total_train_batches, description)

    def get_metrics(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> dict:
        metrics = super().get_metrics(trainer, pl_module)
        metrics.pop("v_num", None)
        return metrics
