"""What an experiment gets when its Steps do not say otherwise: results, learning curves, report and console
summary, all from the scalars its fit logged to TensorBoard (src/experiments/scalars.py).

They need train() to return the Fit it trained (or an object whose `fit` is that Fit): its log directory holds
the scalars. An experiment with more to say overrides the step in question, and may still call these.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from src.experiments.figures import FigureFile, FigureSink
from src.experiments.fit import Fit
from src.experiments.run_meta import RunMeta
from src.experiments.scalars import Metric, Series, read_scalars, summarise

LEARNING_CURVES = "learning_curves"


def fit_of(trained: Any) -> Fit:
    fit = trained if isinstance(trained, Fit) else getattr(trained, "fit", None)
    if not isinstance(fit, Fit):
        raise TypeError(
            f"the default results and figures read the TensorBoard scalars of the Fit that train() returns; it "
            f"returned a {type(trained).__name__}: return the Fit, or override results() and figures()"
        )
    return fit


def log_dir_of(trained: Any) -> Path:
    return Path(fit_of(trained).trainer.log_dir)


def default_results(trained: Any) -> dict:
    """{"metrics": {tag: Metric}} of every scalar the fit logged (last value, its step, min, max, count), and the
    device it ran on (added to the options in results["config"])."""
    metrics = summarise(read_scalars(log_dir_of(trained)))
    device = str(fit_of(trained).trainer.strategy.root_device)
    return {"metrics": {tag: metric.to_json() for tag, metric in metrics.items()}, "config": {"device": device}}


def metrics_of(results: dict) -> dict[str, Metric]:
    return {tag: Metric.from_json(data) for tag, data in results.get("metrics", {}).items()}


def learning_curves_figure(scalars: dict[str, Series], title: str = "") -> Figure:
    """One panel per metric name (the part after the stage: train/loss and val/loss share "loss"), one line per
    stage, against the optimizer step at which each value was logged."""
    panels: dict[str, list[str]] = {}
    for tag in scalars:
        panels.setdefault(tag.split("/", 1)[-1], []).append(tag)
    columns = min(3, len(panels))
    rows = math.ceil(len(panels) / columns)
    figure = Figure(figsize=(4.2 * columns, 3.4 * rows), layout="constrained")
    for index, (name, tags) in enumerate(panels.items()):
        ax = figure.add_subplot(rows, columns, index + 1)
        for tag in tags:
            steps, values = zip(*scalars[tag], strict=True)
            ax.plot(steps, values, marker="o", markersize=3, label=tag.split("/", 1)[0] if "/" in tag else tag)
        ax.set_xlabel("step")
        ax.set_title(name)
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    return figure


def default_figures(results: dict, trained: Any, sink: FigureSink) -> dict[str, FigureFile]:
    """The learning curves, when the fit logged anything."""
    scalars = read_scalars(log_dir_of(trained))
    if not scalars:
        return {}
    figure = learning_curves_figure(scalars, results.get("experiment", ""))
    return {LEARNING_CURVES: sink.save(figure, LEARNING_CURVES, "learning curves")}


def status_line(results: dict) -> str:
    if results.get("status") != "interrupted":
        return "**Completed.**"
    meta = RunMeta.of(results)
    resumable = meta.interrupted is not None and meta.interrupted.checkpoint is not None
    then = f"Resume with `{meta.resume_command(results['experiment'])}`." if resumable else "Run it again to finish."
    return f"**Interrupted** by {meta.signal}: partial results below. {then}"


def metrics_table(metrics: dict[str, Metric]) -> str:
    lines = ["| metric | last | at step | min | max | values |", "|---|---|---|---|---|---|"]
    for tag, m in metrics.items():
        lines.append(f"| {tag} | {m.last:.4g} | {m.step} | {m.min:.4g} | {m.max:.4g} | {m.count} |")
    return "\n".join(lines)


def default_report(results: dict, figures: dict[str, FigureFile]) -> str:
    """A title, how the run ended, the metrics table, the figures and the options."""
    metrics = metrics_of(results)
    lines = [f"# {results['experiment']}", "", status_line(results), "", "## Metrics", ""]
    lines += [metrics_table(metrics) if metrics else "(nothing logged yet)", "", "## Figures", ""]
    shown = [f"![{figure.title}]({figure.path})" for figure in figures.values() if figure.path]
    lines += [*(shown or ["(none)"]), "", "## Options", "", "| option | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in results.get("config", {}).items()]
    return "\n".join(lines) + "\n"


def default_summary(name: str, results: dict) -> list[str]:
    """One console block: the last value of each metric."""
    metrics = metrics_of(results)
    if not metrics:
        return [f"{name}: nothing logged"]
    shown = ", ".join(f"{tag} {metric.last:.4g}" for tag, metric in metrics.items())
    return [f"{name} (last values): {shown}"]
