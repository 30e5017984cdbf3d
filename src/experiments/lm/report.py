"""report.md of an lm run: pretrained, full fine-tuning and LoRA side by side, explained from the run's numbers."""

from __future__ import annotations

from src.experiments.figures import FigureFile
from src.experiments.lm.config import PERPLEXITY_WORDS
from src.experiments.wording import loss, pct

NAMES = {"pretrained": "pretrained", "full": "full fine-tuning", "lora": "LoRA"}


def mib(value: float | None) -> str:
    return "—" if not value else f"{value / 2**20:,.0f} MiB"


def number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def step_time(variant: dict) -> str:
    timing = variant.get("timing") or {}
    if not timing.get("seconds_per_step"):
        return "—"
    steps = variant["history"][-1]["step"] if variant.get("history") else 0
    partial = f" (timed over the {timing['steps_timed']} steps after a resume)" if timing["steps_timed"] < steps else ""
    return f"{number(timing['seconds_per_step'], 3)} s{partial}"


def comparison_table(results: dict) -> list[str]:
    headings = [
        "model",
        "trainable parameters",
        "time per step",
        "training tokens/s",
        "peak memory",
        "weights + gradients + AdamW state",
        "fine-tuning time",
        "val perplexity",
        "test perplexity",
    ]
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    for name, variant in results["variants"].items():
        measured, timing = variant["measured"], variant.get("timing") or {}
        share = variant["trainable"] / variant["parameters"]
        cells = [
            NAMES[name],
            f"{variant['trainable']:,} ({pct(share)})",
            step_time(variant),
            number(timing.get("tokens_per_s"), 0),
            mib(timing.get("peak_memory_bytes")),
            mib(variant.get("state_bytes")),
            f"{number(timing.get('fit_seconds'), 1)} s" if timing.get("fit_seconds") else "—",
            number(measured["val"]["perplexity"]) if measured else "interrupted",
            number(measured["test"]["perplexity"]) if measured else "interrupted",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def interpretation(results: dict) -> list[str]:
    variants = results["variants"]
    pretrained = variants["pretrained"]["measured"]
    lines = []
    for name in ("full", "lora"):
        variant = variants.get(name)
        if variant is None or variant["measured"] is None:
            continue
        before, after = pretrained["test"]["perplexity"], variant["measured"]["test"]["perplexity"]
        steps = variant["history"][-1]["step"] if variant.get("history") else 0
        lines.append(
            f"- {NAMES[name]}: test perplexity {before:.2f} -> {after:.2f} ({(after / before - 1) * 100:+.1f} %) "
            f"after {steps} optimizer steps."
        )
    full, lora = variants.get("full"), variants.get("lora")
    if (
        full
        and lora
        and full.get("timing", {}).get("seconds_per_step")
        and lora.get("timing", {}).get("seconds_per_step")
    ):
        ratio = full["timing"]["seconds_per_step"] / lora["timing"]["seconds_per_step"]
        state = full["state_bytes"] / lora["state_bytes"]
        verdict = "faster" if ratio > 1.1 else "not faster" if ratio > 0.9 else "slower"
        lines.append(
            f"- LoRA trains {pct(lora['trainable'] / lora['parameters'])} of the weights and its step is "
            f"{verdict} here: full / LoRA step time = {ratio:.2f} x. LoRA still runs the whole forward pass and "
            "the backward pass through every layer (the adapters' gradients need the activations' gradients all the "
            "way down); what it saves is the gradient of every frozen matrix and AdamW's update and two moments for "
            f"them: {ratio:.2f} x on time, {state:.2f} x on weights + gradients + optimizer state. That saving is "
            "largest where the update and the optimizer state dominate (large models, short blocks, memory-bound "
            "GPUs); with small blocks on a CPU the matrix products of the forward and backward passes dominate, and "
            "the adapters' own extra products (r per targeted layer) eat part of the saving."
        )
    pad = results["course_padding"]
    if pad["course_padding_share"] is not None:
        lines.append(
            f"- The course padded every line to the model's context ({pad['context']:,} tokens, at most GPT-2's "
            f"1,024): on this text {pct(pad['course_padding_share'], 1)} of its compute would go into padding; "
            f"packed blocks pad {pct(pad['packed_padding_share'], 1)} (the last block only)."
        )
    return lines


def history_table(history: list[dict]) -> list[str]:
    lines = [
        "| step | training loss (since the last row) | validation loss | validation perplexity |",
        "|---|---|---|---|",
    ]
    for row in history:
        lines.append(
            f"| {row['step']} | {loss(row.get('train/loss_since_last_val'))} | {loss(row.get('val/loss'))} | "
            f"{number(row.get('val/perplexity'))} |"
        )
    return lines


def generations_markdown(results: dict) -> str:
    """Each prompt's continuations by every model, with the share of repeated 3-grams (a loop shows as ~1)."""
    variants = {n: v["measured"] for n, v in results["variants"].items() if v["measured"]}
    if not variants:
        return "no model was measured"
    lines = []
    prompts = [g["prompt"] for g in next(iter(variants.values()))["generations"]]
    for number_, prompt in enumerate(prompts):
        lines += [f"**Prompt {number_ + 1}:** {prompt!r}", "", "| model | continuation | repeated 3-grams | tokens/s |"]
        lines.append("|---|---|---|---|")
        for name, measured in variants.items():
            g = measured["generations"][number_]
            text = " ".join(g["text"].split()).replace("|", "\\|")
            lines.append(
                f"| {NAMES[name]} | {text} | {pct(g['repeated_3grams'], 0)} | {number(g['tokens_per_s'], 1)} |"
            )
        lines.append("")
    return "\n".join(lines)


def render_lm_report(results: dict, figures: dict[str, FigureFile]) -> str:
    data, model, text = results["data"], results["model"], results["text"]
    train = text["per_split"]["train"]
    measured = results["variants"]["pretrained"]["measured"]
    method = PERPLEXITY_WORDS[results["config"]["perplexity"]]
    lines = [f"# Language model: {model['name']} on {data['name']}", ""]
    lines += [
        "## Data and model",
        "",
        f"- Text: {data['source']}; split: {data['split']}.",
        "- Tokens (one tokenisation of each split): "
        + ", ".join(f"{s} {text['per_split'][s]['tokens']:,}" for s in ("train", "val", "test"))
        + f"; {train['blocks']:,} training blocks of up to --block-size tokens, {train['predicted_in_blocks']:,} "
        "tokens predicted per epoch (each once).",
        f"- Model: {model['description']}; {results['variants']['pretrained']['parameters']:,} parameters; tokenizer "
        f"{text['tokenizer']} ({text['vocabulary_size']:,} tokens).",
        f"- Perplexity: {method}, exp of the mean cross-entropy over the predicted tokens of each split.",
        f"- Device: {results['config']['device']}, precision {results['config']['precision']}.",
        "",
        "## Pretrained, full fine-tuning and LoRA side by side",
        "",
        *comparison_table(results),
        "",
        "Time per step: the median optimizer step after the first (forward, backward, update; no validation). Peak "
        "memory: a GPU's peak allocation, or on a CPU the largest resident memory of the process seen at an "
        "optimizer step (the whole process: the pretrained model, the text and what earlier fits left to the "
        "allocator included, so it compares poorly across fits on a CPU). "
        "Weights + gradients + AdamW state: float32, computed from the parameter counts.",
        "",
        "## What the numbers say",
        "",
        *interpretation(results),
        "",
    ]
    if "course_perplexity" in measured["val"]:
        lines += [
            "Line by line, the course's divisor (every token of a line, although its first is never predicted) gives "
            + ", ".join(
                f"{NAMES[n]} {v['measured']['test']['course_perplexity']:.2f}"
                for n, v in results["variants"].items()
                if v["measured"]
            )
            + " on the test split.",
            "",
        ]
    lines += ["## Loss per step", ""]
    if "curves" in figures:
        lines += [f"![{figures['curves'].title}]({figures['curves'].path})", ""]
    for name, variant in results["variants"].items():
        if variant.get("history"):
            lines += [f"### {NAMES[name]}", "", *history_table(variant["history"]), ""]
    lines += ["## Generated text", "", generations_markdown(results), ""]
    saved = [f"{NAMES[n]}: `{v['saved']}`" for n, v in results["variants"].items() if v.get("saved")]
    if saved:
        lines += [
            "## Saved models",
            "",
            "; ".join(saved) + " (continue a prompt: `train.py generate RUN --prompt ...`).",
            "",
        ]
    return "\n".join(lines)
