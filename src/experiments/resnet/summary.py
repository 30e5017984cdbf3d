"""The console summary of a resnet run."""

from __future__ import annotations

from src.experiments.scores import BestEpoch, TestScore
from src.experiments.targets import target_verdict
from src.experiments.wording import pct


def paper_note(results: dict) -> str:
    """Why this run's test accuracy does not compare with the paper's, if it does not."""
    paper, data_name = results["paper"], results["data"]["name"]
    if data_name != "cifar10":
        return f" (this run used {data_name}: it does not compare)"
    if not paper["comparable"]:
        return f" ({target_verdict(None, paper['iterations'], paper['recipe_iterations'], 'iterations')})"
    return ""


def resnet_summary(results: dict) -> str:
    model, best, test, schedule = results["model"], BestEpoch.of(results), TestScore.of(results), results["schedule"]
    name = f"ResNet-{model['depth']} on {results['data']['name']}"
    if best is None:
        return f"{name}: interrupted before the first epoch ended"
    lines = [
        f"{name}: best validation accuracy {pct(best.acc)} at epoch {best.epoch} of {schedule['epochs']} "
        f"({schedule['iterations']:,} iterations), test accuracy {pct(test.acc if test else None)}"
    ]
    paper, timing = results["paper"], results["timing"]
    if paper is not None:
        lines.append(f"  the paper: {pct(paper['test_acc'])} test accuracy on CIFAR-10{paper_note(results)}")
    if timing is not None:
        lines.append(
            f"  {timing['median_epoch_s']:.2f} s per epoch with validation, {timing['median_train_epoch_s']:.2f} s "
            f"training alone (medians of {timing['epochs_timed']}): {timing['images_per_s']:,.0f} training "
            f"images/s; the {schedule['iterations']:,}-iteration recipe would take "
            f"{timing['recipe_s_estimate'] / 60:.1f} min here"
        )
    return "\n".join(lines)
