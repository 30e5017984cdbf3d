"""Closed-form references for the experiments: the Wiener solution and LMS stability bounds."""

from src.theory.lms_stability import StabilityAnalysis, analyse_stability, critical_rate, log_spectral_radius
from src.theory.wiener import WienerSolution, dataset_mse, wiener_solution

__all__ = [
    "StabilityAnalysis",
    "WienerSolution",
    "analyse_stability",
    "critical_rate",
    "dataset_mse",
    "log_spectral_radius",
    "wiener_solution",
]
