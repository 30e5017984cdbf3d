"""What the lm experiment measures of one model (pretrained, fully fine-tuned, or LoRA merged into its base):
validation and test perplexity, and the prompts' continuations."""

from __future__ import annotations

import time

import torch

from src.analysis.perplexity import Perplexity, line_by_line, sliding_window
from src.experiments.lm.config import LMConfig, SamplingOptions
from src.experiments.lm.data import LMData, encode
from src.experiments.lm.models import LoadedModel
from src.modules.generation import Sampling, generate

NGRAM = 3  # repetition is measured as the share of repeated 3-grams among the generated tokens


def sampling_of(cfg: SamplingOptions, seed: int) -> Sampling:
    return Sampling(
        greedy=cfg.greedy,
        temperature=cfg.temperature,
        top_k=cfg.top_k,
        top_p=cfg.top_p,
        repetition_penalty=cfg.repetition_penalty,
        seed=seed,
    )


def repeated_ngrams(ids: list[int], n: int = NGRAM) -> float | None:
    """Share of the n-grams of `ids` that occurred earlier in it: 0 for text that never repeats itself, near 1
    for a loop (what greedy decoding fell into in every course sample)."""
    grams = [tuple(ids[i : i + n]) for i in range(len(ids) - n + 1)]
    if not grams:
        return None
    return 1 - len(set(grams)) / len(grams)


def perplexity(cfg: LMConfig, model: torch.nn.Module, data: LMData, split: str) -> Perplexity:
    pad = data.loaded.pad_id
    if cfg.perplexity == "lines":
        return line_by_line(model, data.lines[split], cfg.window, cfg.eval_batch_size, pad)
    return sliding_window(model, data.streams[split], cfg.window, cfg.window_stride, cfg.eval_batch_size, pad)


def evaluate_model(cfg: LMConfig, model: torch.nn.Module, data: LMData, device: torch.device) -> dict:
    """{"val": {...}, "test": {...}, "generations": [...], "eval_seconds": ...} for `model` on `device`."""
    model.to(device).eval()
    started = time.perf_counter()
    out: dict = {}
    # In float32 on every device (a bf16-mixed fit's weights are float32): the numbers do not depend on it.
    for split in ("val", "test"):
        out[split] = perplexity(cfg, model, data, split).as_dict()
    out["eval_seconds"] = time.perf_counter() - started
    out["generations"] = [
        continuation(cfg, model, data.loaded, prompt, cfg.seed + number) for number, prompt in enumerate(cfg.prompts)
    ]
    return out


def continuation(
    cfg: SamplingOptions, model: torch.nn.Module, loaded: LoadedModel, prompt: str, seed: int, use_cache: bool = True
) -> dict:
    """`prompt` continued by `model` with `loaded`'s tokenizer: the new text and how it was made."""
    tokenizer = loaded.tokenizer
    prompt_ids = encode(tokenizer, prompt).tolist()
    sampling = sampling_of(cfg, seed)
    generated = generate(model, prompt_ids, cfg.max_new_tokens, sampling, loaded.eos_id, use_cache=use_cache)
    return {
        "prompt": prompt,
        "text": tokenizer.decode(generated.ids, skip_special_tokens=True),
        "new_tokens": len(generated.ids),
        "stopped_at_eos": generated.stopped_at_eos,
        "tokens_per_s": generated.tokens_per_s,
        "repeated_3grams": repeated_ngrams(generated.ids),
        "seed": seed,
    }
