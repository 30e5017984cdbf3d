"""The console summary of a resnet run."""

from __future__ import annotations

from src.experiments.wording import pct


def resnet_summary(results: dict) -> str:
    model, best, test, schedule = results["model"], results["best_val"], results["test"], results["schedule"]
    name = f"ResNet-{model['depth']} on {results['data']['name']}"
    if best is None:
        return f"{name}: interrupted before the first epoch ended"
    lines = [
        f"{name}: best validation accuracy {pct(best['acc'])} at epoch {best['epoch']} of {schedule['epochs']} "
        f"({schedule['iterations']:,} iterations), test accuracy {pct(test['acc'] if test else None)}"
    ]
    paper, timing = results["paper"], results["timing"]
    if paper is not None:
        lines.append(f"  the paper: {pct(paper['test_acc'])} test accuracy on CIFAR-10")
    if timing is not None:
        lines.append(
            f"  {timing['median_epoch_s']:.2f} s per epoch (median of {timing['epochs_timed']}), "
            f"{timing['images_per_s']:,.0f} training images/s; the {schedule['iterations']:,}-iteration recipe "
            f"would take {timing['recipe_s_estimate'] / 60:.1f} min here"
        )
    return "\n".join(lines)
