"""Callbacks: what gets observed and logged while training (and the layer summary they report)."""

from src.analysis.layer_summary import LayerTable, layer_summary
from src.callbacks.divergence import DivergenceDetector
from src.callbacks.epoch_history import EpochHistory
from src.callbacks.epoch_mse import MSE_TAG, WEIGHT_ERROR_TAG, WIENER_RUN, EpochMSE
from src.callbacks.histograms import Histograms
from src.callbacks.interruption import GracefulInterrupt, TrainingInterrupted
from src.callbacks.layer_summary_callback import LayerSummary
from src.callbacks.rng_state import RNGState
from src.callbacks.subrun_writers import rate_run_name

__all__ = [
    "MSE_TAG",
    "WEIGHT_ERROR_TAG",
    "WIENER_RUN",
    "DivergenceDetector",
    "EpochHistory",
    "EpochMSE",
    "GracefulInterrupt",
    "Histograms",
    "LayerSummary",
    "LayerTable",
    "RNGState",
    "TrainingInterrupted",
    "layer_summary",
    "rate_run_name",
]
