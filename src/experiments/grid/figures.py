"""Figures both CIFAR-10 labs draw: curves of several variants per epoch, train dashed and validation solid."""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.axes import Axes


def series(history: list[dict], key: str) -> tuple[list[int], list[float]]:
    """Epochs and values of `key` (None, e.g. after a divergence, as NaN: a gap in the line)."""
    rows = [row for row in history if key in row]
    return [row["epoch"] for row in rows], [math.nan if row[key] is None else row[key] for row in rows]


def plot_variants(ax: Axes, variants: Sequence[dict], metric: str, labels: Sequence[str] | None = None) -> None:
    """`metric` ("loss" or "acc") per epoch of each variant: validation solid (from epoch 0, the untrained
    network), training dashed in the same colour (its mean over the epoch's steps)."""
    for index, variant in enumerate(variants):
        label = labels[index] if labels else variant["name"]
        (line,) = ax.plot(*series(variant["history"], f"val/{metric}"), marker="o", markersize=3, label=f"{label} val")
        ax.plot(*series(variant["history"], f"train/{metric}"), linestyle="--", color=line.get_color(), alpha=0.8)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy (log axis)" if metric == "loss" else "accuracy")
    if metric == "loss":  # a variant whose loss blows up would otherwise flatten the others onto the axis
        ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, alpha=0.3)
