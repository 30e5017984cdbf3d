"""The console summary of a pipeline run: every variant's numbers and each study's first finding."""

from __future__ import annotations

from src.experiments.pipeline.findings import FINDINGS
from src.experiments.wording import pct


def pipeline_summary(results: dict) -> str:
    variants = {v["name"]: v for v in results["variants"]}
    width = max(len(name) for name in variants)
    lines = [
        f"{'variant':<{width}}  best val (epoch)  test     diverged",
        f"{'-' * width}  ----------------  -------  --------",
    ]
    for name, v in variants.items():
        best = f"{pct(v['best_val']['acc'], 1)} ({v['best_val']['epoch']})" if v["best_val"] else "—"
        test = pct(v["test"]["acc"], 1) if v["test"] else "—"
        diverged = f"epoch {v['diverged_epoch']}" if v["diverged_epoch"] else "no"
        lines.append(f"{name:<{width}}  {best:<16}  {test:<7}  {diverged}")
    lines.append("")
    for study in results["studies"]:
        if any(name not in variants for name in study["variants"]):
            lines.append(f"{study['title']}: not trained (interrupted)")
            continue
        members = [variants[name] for name in study["variants"]]
        lines.append(f"{study['title']}: {FINDINGS[study['key']](members, results)[0]}")
    return "\n".join(lines)
