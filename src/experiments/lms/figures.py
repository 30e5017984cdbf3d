"""LMS figures: MSE per epoch for every rate, and the Wiener plane with the best stable rate's plane (p = 2)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from src.data import RegressionData
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.lms.curves import best_stable_run, final_mse, relative

CEILING = 100.0  # the MSE axis stops at CEILING x the largest initial MSE


def lms_figures(sink: FigureSink, results: dict, data: RegressionData) -> dict[str, FigureFile]:
    figures = {"mse_vs_epoch": sink.save(mse_curves_figure(results), "mse_vs_epoch", "MSE per epoch for every rate")}
    title = "Data with the Wiener plane and the best stable rate's LMS plane"
    if data.n_features != 2:
        note = f"skipped: a plane over (x1, x2) needs exactly 2 features, this data has p = {data.n_features}"
        figures["planes_3d"] = FigureFile(title, None, note)
    else:
        figure, note = planes_figure(results, data)
        figures["planes_3d"] = sink.save(figure, "planes_3d", title, note)
    return figures


def mse_curves_figure(results: dict) -> Figure:
    """Log-scale MSE per epoch. The axis stops at CEILING x the largest initial MSE so that a diverged rate
    (1e20 and up) does not flatten the others; the cut is drawn and labelled, and a value beyond it sits on the
    cut line as an upward triangle with its real value written next to it."""
    figure = Figure(figsize=(7.5, 4.8), layout="constrained")
    ax = figure.add_subplot()
    ceiling = CEILING * max(run["mse"][0] for run in results["runs"])
    clipped = False
    for run in results["runs"]:
        epochs = [e for e, v in enumerate(run["mse"]) if v is not None and v > 0]
        values = [min(run["mse"][e], ceiling) for e in epochs]
        label = f"r = {run['lr']:g}" + (f" (diverged, epoch {run['diverged_epoch']})" if run["diverged_epoch"] else "")
        (line,) = ax.plot(epochs, values, marker="o", markersize=3, label=label)
        for epoch in epochs:
            if run["mse"][epoch] > ceiling:
                clipped = True
                ax.plot(epoch, ceiling, marker="^", markersize=9, color=line.get_color())
                ax.annotate(
                    f"MSE = {run['mse'][epoch]:.2g}",
                    (epoch, ceiling),
                    textcoords="offset points",
                    xytext=(8, -12),
                    fontsize=8,
                    color=line.get_color(),
                )
        if run["diverged_epoch"] is not None and run["mse"][run["diverged_epoch"]] is None:
            epoch = run["diverged_epoch"]
            ax.plot(epoch, ceiling, marker="x", markersize=10, color=line.get_color())
            ax.annotate("MSE not finite", (epoch, ceiling), textcoords="offset points", xytext=(8, -12), fontsize=8)
            clipped = True
    wiener_mse = results["wiener"]["mse"]
    ax.axhline(wiener_mse, color="black", linestyle="--", label=f"Wiener MSE* = {wiener_mse:.3g}")
    if clipped:
        ax.axhline(ceiling, color="gray", linestyle=":", linewidth=1)
        ax.text(
            0.01,
            ceiling,
            f" axis cut at {CEILING:g} x the initial MSE",
            transform=ax.get_yaxis_transform(),
            va="bottom",
            fontsize=8,
            color="gray",
        )
    ax.set_yscale("log")
    ax.set_ylim(top=ceiling * 3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("epoch (0 = initial weights)")
    ax.set_ylabel("MSE over the whole dataset")
    ax.set_title("LMS learning curves")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return figure


def planes_figure(results: dict, data: RegressionData) -> tuple[Figure, str]:
    best = best_stable_run(results)
    x1, x2 = data.X[:, 1], data.X[:, 2]
    g1, g2 = np.meshgrid(np.linspace(x1.min(), x1.max(), 12), np.linspace(x2.min(), x2.max(), 12))
    figure = Figure(figsize=(7.5, 6), layout="constrained")
    ax = figure.add_subplot(projection="3d")
    ax.scatter(x1, x2, data.D, color="black", s=10, label="samples")
    w_star = results["wiener"]["w"]
    ax.plot_surface(g1, g2, w_star[0] + w_star[1] * g1 + w_star[2] * g2, color="tab:blue", alpha=0.35)
    ax.plot([], [], color="tab:blue", label=f"Wiener plane w* = [{', '.join(f'{v:.3f}' for v in w_star)}]")
    if best is None:
        note, title = "no LMS plane: every rate diverged", "Wiener plane (every LMS rate diverged)"
    else:
        w = best["w"]
        ratio = relative(results, final_mse(best))
        quality = f"final MSE {final_mse(best):.3g}" + ("" if ratio is None else f" = {ratio:.4g} x MSE*")
        note = f"the LMS plane is the stable rate with the lowest final MSE: r = {best['lr']:g}, {quality}"
        title = f"Wiener plane and LMS plane of the best stable rate, r = {best['lr']:g}"
        ax.plot_wireframe(g1, g2, w[0] + w[1] * g1 + w[2] * g2, color="tab:red", linewidth=0.8)
        ax.plot([], [], color="tab:red", label=f"LMS plane, r = {best['lr']:g}: [{', '.join(f'{v:.3f}' for v in w)}]")
    # Look across the slope of the Wiener plane, slightly from above: the plane shows as a surface, not an edge.
    ax.view_init(elev=25, azim=float(np.degrees(np.arctan2(w_star[2], w_star[1]))) + 200.0)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_zlabel("d")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")
    return figure, note
