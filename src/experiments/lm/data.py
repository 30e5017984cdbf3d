"""The lm experiment's data: the text's splits, the model and its tokenizer, each split tokenised once (as one
stream, and line by line for the course's perplexity), and the training and validation blocks."""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from src.analysis.perplexity import window_slices
from src.data.lm.packing import pack_blocks, predicted_tokens
from src.data.lm.texts import LMTexts, load_texts
from src.errors import UserError
from src.experiments.lm.config import LMConfig
from src.experiments.lm.models import LoadedModel, load_model
from src.modules.lora import default_targets, layer_shape, targeted_layers

SPLITS = ("train", "val", "test")


@dataclass
class LMData:
    texts: LMTexts
    loaded: LoadedModel
    streams: dict[str, torch.Tensor]  # split -> the split's text tokenised once (1-D)
    lines: dict[str, list[torch.Tensor]]  # split -> each non-empty line tokenised on its own
    blocks: list[torch.Tensor]  # the training stream's packed blocks of --block-size tokens
    val_windows: list[tuple[torch.Tensor, int]]  # what the validation loss is computed on (see val_windows)
    processing: dict  # results.json's "text"


def encode(tokenizer, text: str) -> torch.Tensor:
    """Token ids without special tokens; `verbose=False`: a text longer than the model's context is expected."""
    ids = tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
    return torch.tensor(ids, dtype=torch.int64)


def check_generation_fits(loaded: LoadedModel, prompts: tuple[str, ...], max_new_tokens: int) -> None:
    """A prompt and its new tokens must fit the model's context (its position table), or generating fails."""
    limit = loaded.max_positions
    if limit is None:
        return
    longest = max(len(encode(loaded.tokenizer, prompt)) for prompt in prompts)
    if longest + max_new_tokens > limit:
        raise UserError(
            f"--max-new-tokens {max_new_tokens}: the longest prompt has {longest} tokens and the model reads at most "
            f"{limit}; ask for at most {max(limit - longest, 0)} new tokens"
        )


def prepare_lm(cfg: LMConfig) -> LMData:
    texts = load_texts(cfg.data, cfg.fraction, cfg.seed, cfg.eval_lines)
    loaded = load_model(cfg.model, cfg.seed)
    limit = loaded.max_positions
    for option, value in (("--block-size", cfg.block_size), ("--window", cfg.window)):
        if limit is not None and value > limit:
            raise UserError(f"{option} {value}: the model reads at most {limit} tokens at a time")
    if "lora" in cfg.methods:  # a wrong module name fails here, before the run directory exists
        for _, module in targeted_layers(loaded.model, cfg.lora_targets or default_targets(loaded.model)):
            layer_shape(module)
    started = time.perf_counter()
    streams = {name: encode(loaded.tokenizer, "\n".join(lines)) for name, lines in texts.parts()}
    lines = {name: [encode(loaded.tokenizer, line) for line in lines if line.strip()] for name, lines in texts.parts()}
    seconds = time.perf_counter() - started
    cut = f"--eval-lines {cfg.eval_lines}"  # names what made the validation and test text so short, where given
    for name, ids in streams.items():
        where = cut if cfg.eval_lines is not None and name != "train" else f"--data {cfg.data}"
        if len(ids) < 2:
            raise UserError(f"{where}: the {name} split has {len(ids)} token(s); at least 2 are needed")
    check_generation_fits(loaded, cfg.prompts, cfg.max_new_tokens)
    if cfg.perplexity == "lines":
        for name in ("val", "test"):
            if not any(len(line) > 1 for line in lines[name]):
                where = f"--data {cfg.data}" if cfg.eval_lines is None else cut
                raise UserError(
                    f"{where}: no line of the {name} split has 2 tokens, so --perplexity "
                    "lines predicts nothing there (use the sliding window)"
                )
    blocks = pack_blocks(streams["train"], cfg.block_size)
    processing = {
        "seconds": seconds,
        "tokenizer": type(loaded.tokenizer).__name__,
        "vocabulary_size": len(loaded.tokenizer),
        "per_split": {
            name: {
                "tokens": len(streams[name]),
                "lines": len(dict(texts.parts())[name]),
                "blocks": len(blocks) if name == "train" else None,
                "predicted_in_blocks": predicted_tokens(blocks) if name == "train" else None,
            }
            for name in SPLITS
        },
    }
    return LMData(texts, loaded, streams, lines, blocks, val_windows(cfg, streams["val"], lines["val"]), processing)


def val_windows(cfg: LMConfig, stream: torch.Tensor, lines: list[torch.Tensor]) -> list[tuple[torch.Tensor, int]]:
    """The validation split as --perplexity measures it: the sliding windows, or every line on its own."""
    if cfg.perplexity == "lines":
        return [(line[: cfg.window], 1) for line in lines if len(line) > 1]
    return window_slices(stream, cfg.window, cfg.window_stride)
