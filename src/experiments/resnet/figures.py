"""The figures of a resnet run: learning curves with the learning-rate drops marked."""

from __future__ import annotations

from matplotlib.figure import Figure


def resnet_curves_figure(results: dict) -> Figure:
    history, schedule = results["history"], results["schedule"]
    epochs = [row["epoch"] for row in history]
    figure = Figure(figsize=(11, 4.3), layout="constrained")
    for index, metric in enumerate(("loss", "acc")):
        ax = figure.add_subplot(1, 2, index + 1)
        for stage, style in (("train", "--"), ("val", "-")):
            values = [row.get(f"{stage}/{metric}", float("nan")) for row in history]
            ax.plot(epochs, values, style, marker="o" if len(epochs) <= 30 else None, markersize=3, label=stage)
        for milestone, epoch in zip(schedule["milestones"], schedule["milestone_epochs"], strict=True):
            ax.axvline(epoch, color="crimson", linestyle=":", alpha=0.8)
            ax.text(
                epoch,
                0.98,
                f" lr / 10 at {milestone:,} it.",
                transform=ax.get_xaxis_transform(),
                color="crimson",
                fontsize=7,
                va="top",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("cross-entropy" if metric == "loss" else "accuracy")
        ax.set_title(f"{metric} per epoch")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="center right")
        if metric == "acc":
            ax.set_ylim(0, 1.02)
    model = results["model"]
    figure.suptitle(f"ResNet-{model['depth']} (option {model['shortcut']}) on {results['data']['name']}")
    return figure
