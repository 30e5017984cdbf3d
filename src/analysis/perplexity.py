"""Perplexity of a causal language model: exp of the token-weighted mean cross-entropy over predicted tokens.

`sliding_window`: Hugging Face's documented method. The whole text is tokenised once; a window of `window`
tokens slides by `stride`; each window scores only the tokens no earlier window scored, with the rest of the
window as context (labels -100 elsewhere). A text of N tokens predicts N-1 of them, and the mean is over those.

`line_by_line`: the course's method, each non-empty line scored on its own (no context across lines,
truncated to `window`). It reports both the correct mean (over the n-1 predicted tokens of each line) and the
course's, which divided by all n tokens of each line.
"""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from src.data.lm.packing import IGNORE, collate_blocks


@dataclass(frozen=True)
class Perplexity:
    nll: float  # summed negative log-likelihood (nats) of the predicted tokens
    predicted: int  # tokens predicted
    windows: int  # forward passes' sequences (windows or lines)
    course_divisor: int | None = None  # line_by_line: every token of every line, as the course divided

    @property
    def loss(self) -> float:
        return self.nll / self.predicted

    @property
    def perplexity(self) -> float:
        return math.exp(self.loss)

    @property
    def course_perplexity(self) -> float | None:
        return None if self.course_divisor is None else math.exp(self.nll / self.course_divisor)

    def as_dict(self) -> dict:
        out = {"perplexity": self.perplexity, "loss": self.loss, "predicted_tokens": self.predicted}
        out["windows"] = self.windows
        if self.course_divisor is not None:
            out |= {"course_perplexity": self.course_perplexity, "course_divisor": self.course_divisor}
        return out


def windows(length: int, window: int, stride: int) -> list[tuple[int, int, int]]:
    """(begin, end, scored_from) of each window over a text of `length` tokens: tokens [scored_from, end) are
    scored (the first window's first token cannot be: it has no context)."""
    if not 1 <= stride <= window:
        raise ValueError(f"stride must be in 1 .. window ({window}), got {stride}")
    spans, previous_end = [], 0
    for begin in range(0, length, stride):
        end = min(begin + window, length)
        spans.append((begin, end, max(previous_end, begin + 1)))
        previous_end = end
        if end == length:
            break
    return [span for span in spans if span[2] < span[1]]


def window_slices(ids: torch.Tensor, window: int, stride: int) -> list[tuple[torch.Tensor, int]]:
    """The sliding windows over `ids` as (tokens, offset of the first scored token in them)."""
    return [(ids[begin:end], first - begin) for begin, end, first in windows(len(ids), window, stride)]


@torch.no_grad()
def scored_nll(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> tuple[float, int]:
    """(summed negative log-likelihood, count) of the tokens labels[:, 1:] marks as predicted (not IGNORE),
    each given the tokens before it; in float32 whatever the model's dtype.

    Only the logits that predict a scored token are computed (`logits_to_keep`: a sliding window scores only its
    last `stride` tokens, and the output layer over the whole vocabulary is a large part of a small model's
    work) and only the scored positions go through the softmax."""
    scored = batch["labels"][:, 1:] != IGNORE  # (B, T-1): position p predicts token p+1
    if not scored.any():
        return 0.0, 0
    length = batch["input_ids"].size(1)
    first = int(scored.any(dim=0).nonzero()[0])  # the earliest position any row needs logits from
    kwargs = {"logits_to_keep": length - first} if accepts(model, "logits_to_keep") else {}
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], **kwargs).logits
    logits = logits[:, -(length - first) :][:, :-1]  # positions first .. T-2
    mask = scored[:, first:]
    targets = batch["labels"][:, 1:][:, first:][mask]
    nll = F.cross_entropy(logits[mask].float(), targets, reduction="sum")
    return float(nll.double()), int(mask.sum())


def accepts(model: torch.nn.Module, keyword: str) -> bool:
    return keyword in forward_parameters(type(model))


@functools.cache
def forward_parameters(kind: type) -> frozenset[str]:
    return frozenset(inspect.signature(kind.forward).parameters)


def device_batch(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    return {key: value.to(device) for key, value in batch.items()}


@torch.no_grad()
def sliding_window(
    model: torch.nn.Module, ids: torch.Tensor, window: int, stride: int, batch_size: int = 8, pad_id: int = 0
) -> Perplexity:
    """Perplexity of the token stream `ids` (1-D) by sliding windows, several windows per forward pass."""
    device = next(model.parameters()).device
    spans = window_slices(ids, window, stride)
    nll, predicted = 0.0, 0
    for first in range(0, len(spans), batch_size):
        part = spans[first : first + batch_size]
        batch = collate_blocks([tokens for tokens, _ in part], pad_id, [offset for _, offset in part])
        window_nll, window_count = scored_nll(model, device_batch(batch, device))
        nll, predicted = nll + window_nll, predicted + window_count
    return Perplexity(nll, predicted, len(spans))


@torch.no_grad()
def line_by_line(
    model: torch.nn.Module, lines: list[torch.Tensor], window: int, batch_size: int = 8, pad_id: int = 0
) -> Perplexity:
    """Perplexity with every line (1-D token ids, empty lines left out by the caller) scored on its own."""
    device = next(model.parameters()).device
    lines = [line[:window] for line in lines if len(line) > 0]
    order = sorted(range(len(lines)), key=lambda i: len(lines[i]))  # similar lengths together: little padding
    nll, predicted = 0.0, 0
    for first in range(0, len(order), batch_size):
        batch = collate_blocks([lines[i] for i in order[first : first + batch_size]], pad_id)
        line_nll, line_count = scored_nll(model, device_batch(batch, device))
        nll, predicted = nll + line_nll, predicted + line_count
    return Perplexity(nll, predicted, len(lines), course_divisor=sum(len(line) for line in lines))
