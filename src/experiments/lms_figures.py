"""LMS figures: MSE per epoch for every rate, and the Wiener and LMS planes over the data (p = 2)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure  # Figure without pyplot: no GUI backend, no global state

from src.atomic import write_atomic
from src.data import RegressionData
from src.experiments.lms_summary import reference_run


@dataclass(frozen=True)
class FigureFile:
    title: str
    path: str | None  # relative to the run directory; None when skipped
    note: str = ""  # why it was skipped, or what to look for


def write_lms_figures(run_dir: Path, results: dict, data: RegressionData, writer: object) -> list[FigureFile]:
    """Save PNGs under run_dir/figures and add them to TensorBoard's Images tab through `writer`."""
    (run_dir / "figures").mkdir(exist_ok=True)
    made = []
    for name, title, builder in (
        ("mse_vs_epoch", "MSE per epoch for every learning rate", mse_curves_figure),
        ("planes_3d", "Data with the Wiener and LMS planes", planes_figure),
    ):
        figure, note = builder(results, data)
        if figure is None:
            made.append(FigureFile(title, None, note))
            continue
        relative = f"figures/{name}.png"
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110)
        write_atomic(run_dir / relative, buffer.getvalue())
        writer.add_figure(f"figures/{name}", figure, global_step=0, close=False)
        made.append(FigureFile(title, relative, note))
    return made


def mse_curves_figure(results: dict, data: RegressionData) -> tuple[Figure, str]:
    """Log-scale MSE per epoch. The axis stops at 100 x the largest initial MSE so that a diverged rate
    (1e20 and up) does not flatten the others; its points beyond that sit on the top edge, marked x."""
    figure = Figure(figsize=(7.5, 4.8), layout="constrained")
    ax = figure.add_subplot()
    ceiling = 100.0 * max(run["mse"][0] for run in results["runs"])
    for run in results["runs"]:
        epochs = [e for e, v in enumerate(run["mse"]) if v is not None and v > 0]
        values = [min(run["mse"][e], ceiling) for e in epochs]
        label = f"r = {run['lr']:g}"
        if run["diverged_epoch"] is not None:
            label += f" (diverged, epoch {run['diverged_epoch']})"
        (line,) = ax.plot(epochs, values, marker="o", markersize=3, label=label)
        if run["diverged_epoch"] is not None:
            epoch = run["diverged_epoch"]
            value = run["mse"][epoch]
            shown = ceiling if value is None else min(value, ceiling)
            ax.plot(epoch, shown, marker="x", markersize=10, color=line.get_color())
            ax.annotate(
                "MSE not finite" if value is None else f"MSE = {value:.2g}",
                (epoch, shown),
                textcoords="offset points",
                xytext=(8, -12),
                fontsize=8,
                color=line.get_color(),
            )
    wiener_mse = results["wiener"]["mse"]
    ax.axhline(wiener_mse, color="black", linestyle="--", label=f"Wiener MSE* = {wiener_mse:.3g}")
    ax.set_yscale("log")
    ax.set_ylim(top=ceiling * 1.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("epoch (0 = initial weights)")
    ax.set_ylabel("MSE over the whole dataset")
    ax.set_title("LMS learning curves")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return figure, "x marks the epoch at which a rate diverged; the axis is cut at 100 x the initial MSE"


def planes_figure(results: dict, data: RegressionData) -> tuple[Figure | None, str]:
    if data.n_features != 2:
        return (
            None,
            f"skipped: a plane over (x1, x2) needs exactly 2 features, this data has p = {data.n_features}",
        )
    lms = reference_run(results)
    x1, x2 = data.X[:, 1], data.X[:, 2]
    g1, g2 = np.meshgrid(np.linspace(x1.min(), x1.max(), 12), np.linspace(x2.min(), x2.max(), 12))
    figure = Figure(figsize=(7.5, 6), layout="constrained")
    ax = figure.add_subplot(projection="3d")
    ax.scatter(x1, x2, data.D, color="black", s=10, label="samples")
    w_star = results["wiener"]["w"]
    ax.plot_surface(g1, g2, w_star[0] + w_star[1] * g1 + w_star[2] * g2, color="tab:blue", alpha=0.35)
    ax.plot([], [], color="tab:blue", label=f"Wiener plane w* = [{', '.join(f'{v:.3f}' for v in w_star)}]")
    note = ""
    if lms is None:
        note = "no LMS plane: every rate diverged"
    else:
        w = lms["w"]
        ax.plot_wireframe(g1, g2, w[0] + w[1] * g1 + w[2] * g2, color="tab:red", linewidth=0.8)
        ax.plot(
            [],
            [],
            color="tab:red",
            label=f"LMS plane, r = {lms['lr']:g}: [{', '.join(f'{v:.3f}' for v in w)}]",
        )
    # Look across the slope of the Wiener plane, slightly from above: the plane shows as a surface, not an edge.
    ax.view_init(elev=25, azim=float(np.degrees(np.arctan2(w_star[2], w_star[1]))) + 200.0)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_zlabel("d")
    ax.legend(fontsize=8, loc="upper left")
    return figure, note
