"""Experiments: each builds data, model, callbacks and Trainer, runs them, and writes the run directory."""

from src.experiments.lms import LMSFit, LMSRun, prepare_lms_fit, run_lms
from src.experiments.lms_config import LMSConfig
from src.experiments.run_dir import create_run_dir, run_directory

__all__ = ["LMSConfig", "LMSFit", "LMSRun", "create_run_dir", "prepare_lms_fit", "run_directory", "run_lms"]
