"""report.md and the console table of an LMS run, both written from its results dict alone."""

from __future__ import annotations

import math

from src.experiments.figures import FigureFile
from src.experiments.lms.curves import (
    attainable,
    exact_fit,
    final_mse,
    first_epoch_within,
    outcome_label,
    prediction_label,
    reference_run,
    relative,
)
from src.experiments.lms.interpretation import interpretation
from src.experiments.tables import markdown_table
from src.experiments.wording import count

R_CRIT_LABEL = "r_crit (in-order epochs, spectral radius of prod_k (I - r x_k x_k^T) = 1)"


def _num(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def _vector(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.6f}" for v in values) + "]"


def sweep_header(results: dict) -> list[str]:
    within = "epoch at rounding level" if exact_fit(results) else "epoch within 10 %"
    return ["rate", "final MSE", "MSE / MSE*", within, "predicted", "observed"]


def sweep_rows(results: dict) -> list[list[str]]:
    """rate | final MSE | MSE / MSE* (— for an exact fit) | first epoch within 10 % | predicted | observed."""
    rows = []
    for run in results["runs"]:
        final = final_mse(run)
        within = first_epoch_within(run, attainable(results))
        rows.append(
            [
                f"{run['lr']:g}",
                _num(final),
                _num(relative(results, final)),
                "—" if within is None else str(within),
                prediction_label(run),
                outcome_label(run, attainable(results)),
            ]
        )
    return rows


def console_table(results: dict) -> str:
    header = sweep_header(results)
    rows = [header, *sweep_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def render_lms_report(results: dict, figures: dict[str, FigureFile]) -> str:
    data, wiener, theory, config = results["data"], results["wiener"], results["theory"], results["config"]
    reference = reference_run(results)
    order = f"shuffled each epoch (seed {config['seed']})" if config["shuffle"] else "samples in file order"
    epochs = len(results["runs"][0]["mse"]) - 1
    exact = " (rounding error: the data lie exactly on a plane)" if exact_fit(results) else ""
    lines = [
        f"# LMS vs Wiener: `{results['experiment']}`",
        "",
        "## Dataset",
        f"- file: `{data['path']}`",
        f"- {data['n_samples']} samples, p = {data['n_features']} feature(s) (+ the ones column), "
        f"W0 = {_vector(config['w0'])}",
        f"- {order}, {count(epochs, 'epoch')}, precision {config['precision']} on {config['device']}",
        "",
        "## Wiener solution",
        f"- W* = {_vector(wiener['w'])}",
        f"- MSE* = {wiener['mse']:.6g}{exact} (mean squared error over the dataset; the course's 1/(2N) cost is "
        "half of it)",
        "",
    ]
    if reference is not None:
        within = first_epoch_within(reference, attainable(results))
        ratio = relative(results, final_mse(reference))
        lines += [
            f"## LMS at r = {reference['lr']:g}",
            f"- w after {count(len(reference['mse']) - 1, 'epoch')} = {_vector(reference['w'])}",
            f"- MSE = {final_mse(reference):.6g}" + ("" if ratio is None else f" = {ratio:.4g} x MSE*"),
            f"- ||w - W*|| = {math.dist(reference['w'], wiener['w']):.4g}",
            f"- first epoch {'at rounding level' if exact_fit(results) else 'within 10 % of MSE*'}: "
            f"{'not reached' if within is None else within}",
            "",
        ]
    lines += [
        "## Learning-rate sweep" if len(results["runs"]) > 1 else "## Prediction and outcome",
        "",
        markdown_table(sweep_header(results), sweep_rows(results)),
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
    for figure in figures.values():
        if figure.path is None:
            lines.append(f"- {figure.title}: {figure.note}")
        else:
            lines += ["", f"![{figure.title}]({figure.path})"] + ([f"({figure.note})"] if figure.note else [])
    lines += ["", "## Interpretation", ""]
    lines += [f"- {sentence}" for sentence in interpretation(results)]
    return "\n".join(lines) + "\n"
