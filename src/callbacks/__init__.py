"""Callbacks: what gets observed and logged while training (and the layer summary they report)."""

from src.analysis.layer_summary import LayerTable, layer_summary
from src.callbacks.checkpointing import (
    CHECKPOINT_FORMAT,
    DataCursor,
    EpochCheckpoint,
    FixedStateKey,
    RunState,
    checkpoint_callbacks,
    stateful_sections,
)
from src.callbacks.divergence import DivergenceDetector
from src.callbacks.epoch_history import EpochHistory
from src.callbacks.epoch_mse import MSE_DB_TAG, MSE_TAG, WEIGHT_ERROR_TAG, WIENER_RUN, EpochMSE, decibels
from src.callbacks.histograms import Histograms
from src.callbacks.interruption import GracefulInterrupt, TrainingInterrupted
from src.callbacks.layer_summary_callback import LayerSummary
from src.callbacks.progress_bar import EpochLines, ProgressBar, progress_callback
from src.callbacks.subrun_writers import rate_run_name

__all__ = [
    "CHECKPOINT_FORMAT",
    "MSE_DB_TAG",
    "MSE_TAG",
    "WEIGHT_ERROR_TAG",
    "WIENER_RUN",
    "DataCursor",
    "DivergenceDetector",
    "EpochCheckpoint",
    "EpochHistory",
    "EpochLines",
    "EpochMSE",
    "FixedStateKey",
    "GracefulInterrupt",
    "Histograms",
    "LayerSummary",
    "LayerTable",
    "ProgressBar",
    "RunState",
    "TrainingInterrupted",
    "checkpoint_callbacks",
    "decibels",
    "layer_summary",
    "progress_callback",
    "rate_run_name",
    "stateful_sections",
]
