"""LayerSummary: the per-layer table of the trained model at fit start (console, TensorBoard, CSV)."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback
from pytorch_lightning.loggers import TensorBoardLogger
from pytorch_lightning.utilities import rank_zero_warn
from torch import nn

from src.analysis import LayerTable, layer_summary
from src.atomic import write_atomic

TEXT_TAG = "model/layer_summary"
PARAMS_TAG = "model/params"
MACS_TAG = "model/macs"
CSV_NAME = "layer_summary.csv"


def summarised_model(pl_module: pl.LightningModule) -> nn.Module:
    """The network a LightningModule trains: its `model` attribute when it wraps one, else itself."""
    inner = getattr(pl_module, "model", None)
    return inner if isinstance(inner, nn.Module) else pl_module


class LayerSummary(Callback):
    """At fit start, on global rank zero: runs layer_summary on one example input, logs the table as Markdown
    (Text tab) with `model/params` and `model/macs`, and writes layer_summary.csv next to the event files; a
    resumed fit logged them when it first started and does not again. `self.table` keeps the result for the
    experiment's results.json and console summary.

    The example input is `example_input` if given, else the module's `example_input_array`.
    """

    def __init__(self, example_input: torch.Tensor | None = None) -> None:
        self.example_input = example_input
        self.table: LayerTable | None = None

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not trainer.is_global_zero:
            return
        example = self.example_input if self.example_input is not None else pl_module.example_input_array
        if example is None:
            rank_zero_warn("LayerSummary: no example_input and no example_input_array on the module; skipped")
            return
        model = summarised_model(pl_module)
        parameter = next(model.parameters(), None)
        if parameter is not None:
            example = example.to(device=parameter.device, dtype=parameter.dtype)
        self.table = layer_summary(model, example)
        for note in self.table.notes:
            rank_zero_warn(f"LayerSummary: {note}")
        logger = trainer.logger
        if isinstance(logger, TensorBoardLogger) and trainer.ckpt_path is None:
            # self.log is not allowed in on_fit_start: write through the SummaryWriter.
            publish_layer_table(self.table, logger.experiment, Path(logger.log_dir))


def publish_layer_table(table: LayerTable, writer: object, directory: Path) -> None:
    """The table as Markdown (Text tab), model/params and model/macs scalars, and directory/layer_summary.csv."""
    writer.add_text(TEXT_TAG, table.to_markdown(), 0)
    writer.add_scalar(PARAMS_TAG, table.total_params, 0)
    writer.add_scalar(MACS_TAG, table.total_macs, 0)
    write_atomic(directory / CSV_NAME, table.to_csv())
