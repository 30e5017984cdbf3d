"""report.md and the console table of an LMS run, both written from its results dict alone."""

from __future__ import annotations

import math

from src.experiments.lms_figures import FigureFile
from src.experiments.lms_summary import (
    final_mse,
    first_epoch_within,
    outcome_label,
    prediction_label,
    reference_run,
    still_improving,
)


def _num(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def _vector(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.6f}" for v in values) + "]"


def sweep_rows(results: dict) -> list[list[str]]:
    """rate | final MSE | MSE / MSE* | first epoch within 10 % | predicted | observed."""
    wiener_mse = results["wiener"]["mse"]
    rows = []
    for run in results["runs"]:
        final = final_mse(run)
        within = first_epoch_within(run, wiener_mse)
        rows.append(
            [
                f"{run['lr']:g}",
                _num(final),
                _num(None if final is None else final / wiener_mse, 4),
                "—" if within is None else str(within),
                prediction_label(run),
                outcome_label(run),
            ]
        )
    return rows


R_CRIT_LABEL = "r_crit (in-order epochs, spectral radius of prod_k (I - r x_k x_k^T) = 1)"
SWEEP_HEADER = ["rate", "final MSE", "MSE / MSE*", "epoch within 10 %", "predicted", "observed"]


def console_table(results: dict) -> str:
    rows = [SWEEP_HEADER, *sweep_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(SWEEP_HEADER))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def interpretation(results: dict) -> list[str]:
    """Sentences about speed versus stability, each backed by a number of this run."""
    wiener_mse = results["wiener"]["mse"]
    theory = results["theory"]
    runs = sorted(results["runs"], key=lambda run: run["lr"])
    epochs = len(runs[0]["mse"]) - 1
    stable = [run for run in runs if run["diverged_epoch"] is None]
    diverged = [run for run in runs if run["diverged_epoch"] is not None]
    reached = [(run, first_epoch_within(run, wiener_mse)) for run in stable]
    fast = [(run, epoch) for run, epoch in reached if epoch is not None]
    slow = [run for run, epoch in reached if epoch is None and still_improving(run)]
    settled_above = [run for run, epoch in reached if epoch is None and not still_improving(run)]
    text = []

    if fast:
        epochs_needed = ", ".join(f"r = {run['lr']:g}: {epoch}" for run, epoch in fast)
        text.append(
            f"**Speed.** Larger steps get there sooner. Epochs until the MSE is within 10 % of MSE*: {epochs_needed}."
        )
    for run in slow:
        text.append(
            f"r = {run['lr']:g} is too slow for {epochs} epochs: it is still improving and ends at "
            f"{final_mse(run) / wiener_mse:.3g} x MSE*."
        )
    if settled_above:
        best = min((final_mse(run) / wiener_mse for run, _ in fast), default=None)
        for run in settled_above:
            sentence = (
                f"**Accuracy.** r = {run['lr']:g} settles at {final_mse(run) / wiener_mse:.3g} x MSE*: every step "
                "follows one noisy sample, and with steps this large the weights keep jumping around w* "
                "(misadjustment)"
            )
            text.append(sentence + (f", while smaller rates end at {best:.3g} x MSE* or better." if best else "."))
    if diverged:
        names = ", ".join(f"r = {run['lr']:g} (epoch {run['diverged_epoch']})" for run in diverged)
        text.append(
            f"**Stability.** Beyond a threshold each epoch amplifies the error instead of shrinking it: {names} "
            "diverged."
        )
    critical = theory["lr_critical"]
    if critical is not None:
        text.append(
            f"The exact in-order threshold is r_crit = {critical:.4g}. 2/lambda_max = "
            f"{theory['lr_bound_lambda_max']:.4g} describes the averaged update (small-rate limit) and misses the "
            f"overshoot on individual samples with a large ||x||^2; 2/trace(R) = {theory['lr_bound_trace']:.4g} "
            "is the classic conservative bound."
        )
    if fast:
        best_run, best_epoch = min(fast, key=lambda pair: (pair[1], final_mse(pair[0])))
        text.append(
            f"**Trade-off.** In this run r = {best_run['lr']:g} is the best compromise: within 10 % of MSE* "
            f"after {best_epoch} epoch(s) and {final_mse(best_run) / wiener_mse:.3g} x MSE* at the end."
        )
    mismatches = [run for run in runs if run["predicted_stable"] != (run["diverged_epoch"] is None)]
    for run in mismatches:
        reason = (
            "its growth per epoch was too slow to pass 1e6 x the initial MSE within the run"
            if not run["predicted_stable"]
            else "a transient grew past 1e6 x the initial MSE"
        )
        text.append(
            f"Prediction and outcome differ for r = {run['lr']:g} ({prediction_label(run)} predicted, "
            f"{outcome_label(run)}): {reason}."
        )
    if not mismatches:
        text.append("Every rate did what the theory predicted.")
    if results["config"]["shuffle"]:
        text.append("Samples were shuffled each epoch, so r_crit (computed for file order) is only indicative.")
    return text


def render_lms_report(results: dict, figures: list[FigureFile]) -> str:
    data, wiener, theory, config = results["data"], results["wiener"], results["theory"], results["config"]
    reference = reference_run(results)
    order = f"shuffled each epoch (seed {config['seed']})" if config["shuffle"] else "samples in file order"
    epochs = len(results["runs"][0]["mse"]) - 1
    lines = [
        f"# LMS vs Wiener: `{results['experiment']}`",
        "",
        "## Dataset",
        f"- file: `{data['path']}`",
        f"- {data['n_samples']} samples, p = {data['n_features']} feature(s) (+ the ones column), "
        f"W0 = {_vector(config['w0'])}",
        f"- {order}, {epochs} epochs, precision {config['precision']} on {config['device']}",
        "",
        "## Wiener solution",
        f"- W* = {_vector(wiener['w'])}",
        f"- MSE* = {wiener['mse']:.6g} (mean squared error over the dataset; the course's 1/(2N) cost is half of it)",
        "",
    ]
    if reference is not None:
        within = first_epoch_within(reference, wiener["mse"])
        lines += [
            f"## LMS at r = {reference['lr']:g}",
            f"- w after {len(reference['mse']) - 1} epochs = {_vector(reference['w'])}",
            f"- MSE = {final_mse(reference):.6g} = {final_mse(reference) / wiener['mse']:.4g} x MSE*",
            f"- ||w - W*|| = {math.dist(reference['w'], wiener['w']):.4g}",
            f"- first epoch within 10 % of MSE*: {'not reached' if within is None else within}",
            "",
        ]
    lines += [
        "## Learning-rate sweep",
        "",
        _markdown_table(SWEEP_HEADER, sweep_rows(results)),
        "",
        "## Theory (from the data, before training)",
        f"- eigenvalues of R = X^T X / N: {', '.join(f'{v:.4g}' for v in theory['eigenvalues'])}",
        f"- 2 / lambda_max = {theory['lr_bound_lambda_max']:.4g}",
        f"- 2 / trace(R) = {theory['lr_bound_trace']:.4g}",
        f"- {R_CRIT_LABEL} = {_num(theory['lr_critical'], 6)}",
        *([f"- note: {theory['lr_critical_note']}"] if theory.get("lr_critical_note") else []),
        "- prediction: converges when r < r_crit"
        + (
            " (here: r < 2 / trace(R))"
            if theory.get("lr_critical_note") and "skipped" in theory["lr_critical_note"]
            else ""
        ),
        "",
        "## Figures",
    ]
    for figure in figures:
        if figure.path is None:
            lines.append(f"- {figure.title}: {figure.note}")
        else:
            lines += ["", f"![{figure.title}]({figure.path})"] + ([f"*{figure.note}*"] if figure.note else [])
    lines += ["", "## Interpretation", ""]
    lines += [f"- {sentence}" for sentence in interpretation(results)]
    return "\n".join(lines) + "\n"
