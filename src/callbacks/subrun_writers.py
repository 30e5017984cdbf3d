"""TensorBoard sub-runs: one event-file directory per curve, so that curves with the same tag overlay."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
from pytorch_lightning.loggers import TensorBoardLogger
from pytorch_lightning.utilities import rank_zero_warn
from torch.utils.tensorboard import SummaryWriter


def rate_run_name(lr: float) -> str:
    """Sub-run directory of a learning rate, e.g. 'lr=0.005' (repr keeps distinct rates distinct)."""
    return f"lr={float(lr)!r}"


def open_subrun_writers(trainer: pl.Trainer, names: list[str], owner: str) -> dict[str, SummaryWriter]:
    """A SummaryWriter per name under the TensorBoard run directory, on global rank zero only.

    Returns {} on other ranks and, with a warning naming `owner`, when the trainer has no TensorBoardLogger.
    """
    if not trainer.is_global_zero:
        return {}
    logger = trainer.logger
    if not isinstance(logger, TensorBoardLogger):
        rank_zero_warn(f"{owner}: no TensorBoardLogger on the trainer, so nothing is written to TensorBoard")
        return {}
    return writers_under(Path(logger.log_dir), names)


def writers_under(base: Path, names: list[str]) -> dict[str, SummaryWriter]:
    """A SummaryWriter per name, writing to base/<name> (the caller decides which rank writes)."""
    return {name: SummaryWriter(str(Path(base) / name)) for name in names}


def close_writers(writers: dict[str, SummaryWriter]) -> None:
    for writer in writers.values():
        writer.close()
    writers.clear()
