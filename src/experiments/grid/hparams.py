"""A variant's row in TensorBoard's HParams tab: its settings and its final numbers, in its own sub-run."""

from __future__ import annotations

from torch.utils.tensorboard import SummaryWriter
from torch.utils.tensorboard.summary import hparams

HPARAMS_PREFIX = "hparams/"


def write_hparams(writer: SummaryWriter, settings: dict, metrics: dict[str, float | None], step: int) -> None:
    """The HParams session of the sub-run `writer` writes: `settings` as hyperparameters, and each metric that
    is not None as the scalar `hparams/<name>` at `step` (the HParams tab reads a session's metrics from its own
    scalars).

    The same three summaries SummaryWriter.add_hparams writes, but into the sub-run itself: add_hparams would
    open a further sub-directory named by the time, apart from the variant's curves.
    """
    values = {f"{HPARAMS_PREFIX}{name}": value for name, value in metrics.items() if value is not None}
    # torch's hparams() tests for numbers before booleans, so True would arrive as 1.0: write switches as the
    # words true/false, which the HParams tab filters with a checkbox each.
    shown = {name: str(value).lower() if isinstance(value, bool) else value for name, value in settings.items()}
    switches = {name: ["false", "true"] for name, value in settings.items() if isinstance(value, bool)}
    for summary in hparams(shown, values, hparam_domain_discrete=switches):
        writer.file_writer.add_summary(summary)
    for tag, value in values.items():
        writer.add_scalar(tag, value, step)
