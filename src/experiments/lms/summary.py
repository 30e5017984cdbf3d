"""The console summary of an LMS run: data, Wiener solution, theory, and the table of rates."""

from __future__ import annotations

from pathlib import Path

from src.experiments.lms.report import console_table
from src.shell import shown_path


def lms_summary(results: dict) -> list[str]:
    theory, wiener, data = results["theory"], results["wiener"], results["data"]
    critical = "none found" if theory["lr_critical"] is None else f"{theory['lr_critical']:.4g}"
    facts = "\n".join(
        [
            f"data: {shown_path(Path(data['path']))} ({data['n_samples']} samples, p = {data['n_features']})",
            f"Wiener: w* = [{', '.join(f'{v:.6f}' for v in wiener['w'])}], MSE* = {wiener['mse']:.6g}",
            f"theory: 2/lambda_max = {theory['lr_bound_lambda_max']:.4g}, 2/trace(R) = "
            f"{theory['lr_bound_trace']:.4g}, r_crit (in order) = {critical}",
        ]
    )
    return [facts, console_table(results)]
