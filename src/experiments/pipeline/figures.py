"""Figures of a pipeline run: each study's curves, the learning-rate and L2 sweeps, and the weights under L1
against L2."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from src.experiments.figures import FigureFile, FigureSink
from src.experiments.grid.figures import plot_variants
from src.experiments.grid.train import GridRun
from src.experiments.grid.weights import SMALL, weight_tensors


def study_figure(title: str, variants: list[dict]) -> Figure:
    figure = Figure(figsize=(12, 4.3), layout="constrained")
    acc_ax, loss_ax = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    plot_variants(acc_ax, variants, "acc")
    plot_variants(loss_ax, variants, "loss")
    acc_ax.set_title("accuracy (solid: validation, dashed: training)")
    loss_ax.set_title("loss (epoch 0: before training)")
    acc_ax.set_ylim(0, 1.02)
    acc_ax.legend(fontsize=7)
    figure.suptitle(title)
    return figure


def sweep_figure(variants: list[dict], setting: str, label: str, title: str) -> Figure:
    """Best validation accuracy and final train - validation gap against a swept setting (log axis; a 0 is
    drawn at the left edge, marked); diverged variants as red crosses at 0."""
    figure = Figure(figsize=(7, 4.2), layout="constrained")
    ax = figure.add_subplot()
    values = [v["settings"][setting] for v in variants]
    positive = [x for x in values if x > 0]
    zero_at = min(positive) / 10 if positive else 1.0
    xs = [x if x > 0 else zero_at for x in values]
    accs = [v["best_val"]["acc"] if v["best_val"] else math.nan for v in variants]
    gaps = [v["final"]["gap"] if v["final"] else math.nan for v in variants]
    order = np.argsort(xs)
    ax.plot(np.array(xs)[order], np.array(accs)[order], marker="o", label="best validation accuracy")
    ax.plot(np.array(xs)[order], np.array(gaps)[order], marker="s", linestyle="--", label="final train - val gap")
    diverged = [x for x, v in zip(xs, variants, strict=True) if v["diverged_epoch"] is not None]
    if diverged:
        ax.scatter(diverged, [0] * len(diverged), marker="x", color="red", s=60, label="diverged", zorder=3)
    ax.set_xscale("log")
    if 0 in values:
        ax.axvline(zero_at, color="gray", linestyle=":", alpha=0.6)
        ax.annotate(f"{setting} = 0", (zero_at, 0.02), rotation=90, fontsize=8, color="gray")
    ax.set_xlabel(label)
    ax.set_ylim(min(0, *[g for g in gaps if not math.isnan(g)], 0) - 0.02, 1.02)
    ax.set_title(title)
    ax.grid(True, alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return figure


def weights_figure(weights: dict[str, dict], threshold: float = SMALL) -> Figure:
    """Histograms of log10 |w| over all convolution and linear weights, one per variant (label -> state_dict)."""
    figure = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = figure.add_subplot()
    bins = np.linspace(-9, 0.5, 96)
    for label, state in weights.items():
        values = np.concatenate([w.detach().float().abs().flatten().numpy() for w in weight_tensors(state).values()])
        logs = np.log10(np.maximum(values, 1e-9))
        below = float((values < threshold).mean())
        ax.hist(logs, bins=bins, histtype="step", linewidth=1.6, label=f"{label}: {below:.1%} below {threshold:g}")
    ax.axvline(math.log10(threshold), color="gray", linestyle=":")
    ax.set_xlabel("log10 |w| (convolution and linear weights; 1e-9 and below in the first bin)")
    ax.set_ylabel("weights")
    ax.set_yscale("log")
    ax.set_title("weights after training: L1 against L2")
    ax.legend(fontsize=8)
    return figure


def pipeline_figures(results: dict, trained: GridRun, sink: FigureSink) -> dict[str, FigureFile]:
    variants = {v["name"]: v for v in results["variants"]}
    figures = {}
    for study in results["studies"]:
        if any(name not in variants for name in study["variants"]):  # interrupted before it was trained
            continue
        members = [variants[name] for name in study["variants"]]
        key = study["key"]
        figures[f"study_{key}"] = sink.save(study_figure(study["title"], members), f"study_{key}", study["title"])
        if key == "lr":
            figure = sweep_figure(members, "lr", "learning rate (augmentation + batch norm)", "learning-rate sweep")
            figures["lr_sweep"] = sink.save(figure, "lr_sweep", "learning-rate sweep")
        if key == "l2":
            figure = sweep_figure(members, "weight_decay", "L2 weight decay", "L2 sweep")
            figures["l2_sweep"] = sink.save(figure, "l2_sweep", "L2 sweep")
        if key == "l1":
            l2_name, l1_name = study["variants"]
            weights = {
                "L2": trained.outcomes[l2_name].final_weights,
                "L1": trained.outcomes[l1_name].final_weights,
            }
            figures["l1_weights"] = sink.save(weights_figure(weights), "l1_weights", "weights under L1 and L2")
    return figures
