"""The console summary of a cifar run."""

from __future__ import annotations

from src.experiments.overfitting import overfitting_brief
from src.experiments.targets import target_verdict
from src.experiments.wording import pct


def cifar_summary(results: dict) -> str:
    variants = {v["name"]: v for v in results["variants"]}
    initial, target = results["initial_loss"], results["course_target"]
    if initial is None:
        return "SimpleNNCifar: interrupted before the first training step"
    lines = [
        f"SimpleNNCifar on {results['data']['name']}, {results['config']['epochs']} epochs: "
        f"before training val loss {initial['val_loss']:.4f} (ln {initial['classes']} = {initial['ln_classes']:.4f})"
    ]
    for role, label in (("constant", "constant lr"), ("decay", "step decay")):
        variant = variants.get(results["roles"][role])
        if variant is None:
            lines.append(f"  {label}: not trained (interrupted)")
            continue
        best, test = variant["best_val"], variant["test"]
        lines.append(
            f"  {label}: best val acc {pct(best['acc'] if best else None)} (epoch {best['epoch'] if best else '—'}), "
            f"test {pct(test['acc'] if test else None)}; {overfitting_brief(results['overfitting'][variant['name']])}"
        )
    if target["applies"]:
        verdict = target_verdict(target["met"], target["epochs"], target["recipe_epochs"])
        lines.append(f"course target (>= {pct(target['target'], 0)} val acc): {verdict}")
    else:
        lines.append(f"course target (>= {pct(target['target'], 0)} on CIFAR-10): not applicable to this data")
    return "\n".join(lines)
