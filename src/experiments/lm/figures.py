"""The lm run's figure: training and validation loss per optimizer step, every fine-tuning on the same axes."""

from __future__ import annotations

from matplotlib.figure import Figure

from src.experiments.lm.config import PERPLEXITY_WORDS, PerplexityMethod


def lm_curves_figure(
    histories: dict[str, list[dict]], pretrained_val_loss: float | None, perplexity: PerplexityMethod
) -> Figure:
    """`perplexity`: how the validation loss was measured (--perplexity), named in the pretrained model's line."""
    figure = Figure(figsize=(7.5, 4.5), layout="constrained")
    ax = figure.add_subplot(1, 1, 1)
    for number, (method, history) in enumerate(histories.items()):
        color = f"C{number}"
        steps = [row["step"] for row in history]
        train = [
            (row["step"], row["train/loss_since_last_val"]) for row in history if "train/loss_since_last_val" in row
        ]
        if train:
            ax.plot(*zip(*train, strict=True), "-o", color=color, label=f"{method}: training (since the last point)")
        ax.plot(steps, [row["val/loss"] for row in history], "--s", color=color, label=f"{method}: validation")
    if pretrained_val_loss is not None:
        label = f"pretrained: validation ({PERPLEXITY_WORDS[perplexity]})"
        ax.axhline(pretrained_val_loss, color="grey", linestyle=":", label=label)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("cross-entropy per predicted token (nats)")
    ax.set_title("fine-tuning: loss on real tokens (no padding counted)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return figure
