"""The sentiment run's figure: loss and validation accuracy per epoch, every preset on the same axes."""

from __future__ import annotations

from matplotlib.figure import Figure


def sentiment_curves_figure(histories: dict[str, list[dict]]) -> Figure:
    figure = Figure(figsize=(11, 4.2), layout="constrained")
    loss_ax, acc_ax = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    for number, (preset, history) in enumerate(histories.items()):
        color = f"C{number}"
        epochs = [row["epoch"] for row in history]
        loss_ax.plot(epochs, [row["train/loss"] for row in history], "-o", color=color, label=f"{preset}: train")
        loss_ax.plot(epochs, [row["val/loss"] for row in history], "--s", color=color, label=f"{preset}: validation")
        acc_ax.plot(epochs, [100 * row["val/acc"] for row in history], "--s", color=color, label=preset)
        best = min(history, key=lambda row: row["val/loss"])
        loss_ax.axvline(best["epoch"], color=color, alpha=0.25, linewidth=4)
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("cross-entropy (mean per review)")
    loss_ax.set_title("loss per epoch (shaded: the kept epoch, lowest validation loss)")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("validation accuracy (%)")
    acc_ax.set_title("validation accuracy per epoch")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return figure
