"""Figures of the SimpleNN analysis: gradient norms per parameter at default and zero init, and the
validation accuracy of the classifier trained from both."""

from __future__ import annotations

from matplotlib.figure import Figure

from src.analysis.zero_init import ZeroInitStudy


def init_comparison_figure(histories: dict[str, list[dict]], chance: float) -> Figure:
    """Validation accuracy per epoch of the same classifier trained from different initialisations;
    `chance` is the accuracy of always answering the largest class."""
    figure = Figure(figsize=(7, 4.2), layout="constrained")
    ax = figure.add_subplot()
    for label, history in histories.items():
        ax.plot([row["epoch"] for row in history], [row["val/acc"] for row in history], marker="o", label=label)
    ax.axhline(chance, color="gray", linestyle=":", label=f"always the largest class ({chance:.0%})")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.set_title("SimpleNN classifier: default init vs all-zero weights")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return figure


def gradient_norms_figure(study: ZeroInitStudy) -> Figure:
    """Gradient norm of every parameter after one backward pass, default init next to zero init (log scale);
    exactly-zero gradients are drawn as 'x' on the bottom edge, since log scale has no 0."""
    names = [g.name for state in study.default.layers for g in state.grads]
    default = [g.norm for state in study.default.layers for g in state.grads]
    zero = [g.norm for state in study.zero.layers for g in state.grads]
    positive = [v for v in default + zero if v > 0]
    floor = min(positive) / 10 if positive else 1e-12
    figure = Figure(figsize=(9, 4.2), layout="constrained")
    ax = figure.add_subplot()
    positions = range(len(names))
    width = 0.38
    ax.bar([p - width / 2 for p in positions], [max(v, floor) for v in default], width, label="default init")
    ax.bar([p + width / 2 for p in positions], [v if v > 0 else 0 for v in zero], width, label="all weights zero")
    for p, value in zip(positions, zero, strict=True):
        if value == 0:
            ax.plot(p + width / 2, floor * 1.5, marker="x", color="tab:orange", markersize=9)
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor)
    ax.set_xticks(list(positions), names, rotation=30, ha="right")
    ax.set_ylabel("gradient norm (x = exactly 0)")
    ax.set_title("One backward pass (MSE on a random target)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend()
    return figure
