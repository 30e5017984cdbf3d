"""A variant's row in TensorBoard's HParams tab: its settings and its final numbers, in its own sub-run."""

from __future__ import annotations

from pathlib import Path

from torch.utils.tensorboard import SummaryWriter
from torch.utils.tensorboard.summary import hparams

HPARAMS_PREFIX = "hparams/"


def write_hparams(directory: Path, settings: dict, metrics: dict[str, float | None], step: int) -> None:
    """The HParams session of the sub-run `directory`: `settings` as hyperparameters, and each finite metric as
    the scalar `hparams/<name>` at `step` (the HParams tab reads a session's metrics from its own scalars).

    The same three summaries SummaryWriter.add_hparams writes, but into the sub-run itself: add_hparams would
    open a further sub-directory named by the time, apart from the variant's curves.
    """
    values = {f"{HPARAMS_PREFIX}{name}": value for name, value in metrics.items() if value is not None}
    writer = SummaryWriter(str(directory))
    try:
        for summary in hparams(settings, values):
            writer.file_writer.add_summary(summary)
        for tag, value in values.items():
            writer.add_scalar(tag, value, step)
    finally:
        writer.close()
