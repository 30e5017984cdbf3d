"""Figures of a classification run: the learning curves."""

from __future__ import annotations

from matplotlib.figure import Figure


def learning_curves_figure(history: list[dict]) -> Figure:
    figure = Figure(figsize=(10, 4), layout="constrained")
    epochs = [row["epoch"] for row in history]
    for index, metric in enumerate(("loss", "acc")):
        ax = figure.add_subplot(1, 2, index + 1)
        for stage in ("train", "val"):
            key = f"{stage}/{metric}"
            ax.plot(epochs, [row.get(key, float("nan")) for row in history], marker="o", markersize=3, label=stage)
        ax.set_xlabel("epoch")
        ax.set_ylabel("cross-entropy" if metric == "loss" else "accuracy")
        ax.set_title(f"{metric} per epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(True, alpha=0.3)
        ax.legend()
    return figure
