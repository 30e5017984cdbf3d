"""The figure of a cifar run: loss and accuracy per epoch of both runs, the initial loss and where overfitting
starts marked."""

from __future__ import annotations

from matplotlib.figure import Figure

from src.experiments.grid.figures import plot_variants


def cifar_curves_figure(results: dict) -> Figure:
    figure = Figure(figsize=(11, 4.3), layout="constrained")
    by_name = {v["name"]: v for v in results["variants"]}
    present = [(role, by_name[name]) for role, name in results["roles"].items() if name in by_name]
    variants = [variant for _, variant in present]
    labels = ["constant lr" if role == "constant" else "step decay" for role, _ in present]
    loss_ax, acc_ax = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    plot_variants(loss_ax, variants, "loss", labels)
    plot_variants(acc_ax, variants, "acc", labels)
    initial = results["initial_loss"]
    if initial is not None:
        loss_ax.axhline(initial["ln_classes"], color="gray", linestyle=":", label=f"ln {initial['classes']}")
    constant = results["overfitting"].get(results["roles"]["constant"])
    start = constant["starts"] if constant else None
    if start is not None:
        for ax in (loss_ax, acc_ax):
            ax.axvline(start, color="crimson", linestyle=":", alpha=0.7)
        loss_ax.plot([], [], color="crimson", linestyle=":", label=f"overfitting from epoch {start} (constant lr)")
    loss_ax.plot([], [], color="black", linestyle="--", label="dashed: training")
    loss_ax.set_title("loss per epoch (epoch 0: before training)")
    acc_ax.set_title("accuracy per epoch")
    acc_ax.set_ylim(0, 1.02)
    loss_ax.legend(fontsize=8)
    acc_ax.legend(fontsize=8)
    figure.suptitle(f"SimpleNNCifar on {results['data']['name']}")
    return figure
