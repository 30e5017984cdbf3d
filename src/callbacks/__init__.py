"""Callbacks: what gets observed and logged while training."""

from src.callbacks.divergence import DivergenceDetector
from src.callbacks.epoch_mse import MSE_TAG, WEIGHT_ERROR_TAG, WIENER_RUN, EpochMSE
from src.callbacks.subrun_writers import rate_run_name

__all__ = ["MSE_TAG", "WEIGHT_ERROR_TAG", "WIENER_RUN", "DivergenceDetector", "EpochMSE", "rate_run_name"]
