"""The console summary of an lm run: one line per model."""

from __future__ import annotations


def lm_summary(results: dict) -> str:
    lines = [f"lm: {results['model']['name']} on {results['data']['name']} (perplexity, lower is better):"]
    for name, variant in results["variants"].items():
        measured = variant["measured"]
        if measured is None:
            lines.append(f"  {name:10s} interrupted")
            continue
        timing = variant.get("timing") or {}
        speed = f", {timing['tokens_per_s']:.0f} tokens/s training" if timing.get("tokens_per_s") else ""
        lines.append(
            f"  {name:10s} validation {measured['val']['perplexity']:.2f}, test {measured['test']['perplexity']:.2f} "
            f"({variant['trainable']:,} trainable parameters{speed})"
        )
    return "\n".join(lines)
