"""The console summary of a sentiment run: one line per preset."""

from __future__ import annotations

from src.experiments.wording import pct


def sentiment_summary(results: dict) -> str:
    lines = [
        f"sentiment on {results['data']['name']} (majority class {pct(results['majority_baseline']['accuracy'])}):"
    ]
    for preset, result in results["presets"].items():
        test, best = result["test"], result["best"]
        if test is None:
            lines.append(f"  {preset:8s} interrupted")
            continue
        lines.append(
            f"  {preset:8s} test accuracy {pct(test['acc'])}, F1 {pct(test['f1'])}, balanced accuracy "
            f"{pct(test['balanced_acc'])} (epoch {best['epoch']} of {result['settings']['epochs']}, "
            f"{result['model']['params']:,} parameters)"
        )
    return "\n".join(lines)
