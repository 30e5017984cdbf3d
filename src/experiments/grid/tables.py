"""The tables and phrases both CIFAR-10 labs print: the variants' results and the data caveat."""

from __future__ import annotations

from collections.abc import Sequence

from src.config.course import CourseRecipe
from src.experiments.wording import pct, points

COURSE_DATA = "cifar10"
COURSE_EPOCHS = CourseRecipe.epochs  # the length of the course's recipe, whose targets are set for it


def data_caveat(data: dict) -> str:
    """What the data mean for the conclusions (an empty string on CIFAR-10 itself)."""
    if data["name"] == COURSE_DATA:
        return ""
    return (
        f"These images are **{data['name']}** ({data['source']}), not CIFAR-10: the run shows that every part "
        "of the lab works and what it measures, but conclusions about CIFAR-10 need CIFAR-10 "
        "(`--data-dir` pointing at a local download)."
    )


def fit_seconds(results: dict) -> dict[str, tuple[float, int]]:
    """variant name -> (training seconds of the fit that trained it, its validations not counted; variants in
    that fit)."""
    return {name: (fit["train_seconds"], len(fit["variants"])) for fit in results["fits"] for name in fit["variants"]}


def variants_table(results: dict, names: Sequence[str] | None = None) -> str:
    """One row per variant: settings, best validation accuracy and its epoch, final train accuracy, the final
    train-validation gap, the test accuracy of the best epoch, divergence, and the training time of its fit."""
    variants = {v["name"]: v for v in results["variants"]}
    seconds = fit_seconds(results)
    lines = [
        "| variant | settings | best val acc (epoch) | final train acc | train - val gap | test acc (best epoch) "
        "| diverged | training time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in names or list(variants):
        v = variants[name]
        best, final = v["best_val"], v["final"]
        fit_time, shared = seconds[name]
        time = f"{fit_time:.1f} s" + (f" (fit of {shared})" if shared > 1 else "")
        best_text = f"{pct(best['acc'])} ({best['epoch']})" if best else "—"
        lines.append(
            f"| `{name}` | {v['description']} | {best_text} "
            f"| {pct(final['train_acc']) if final else '—'} | {points(final['gap']) if final else '—'} "
            f"| {pct(v['test']['acc']) if v['test'] else '—'} "
            f"| {'epoch ' + str(v['diverged_epoch']) if v['diverged_epoch'] else 'no'} | {time} |"
        )
    return "\n".join(lines)
