"""Text generation from a causal LM, one token at a time: greedy, or sampling with temperature, top-k, top-p and
a repetition penalty (Hugging Face's definitions, in its order), seeded; with or without the KV cache.

Written out rather than calling `model.generate`, so that the cache's effect can be measured (the same loop
with and without it) and every choice is visible; tests hold it equal to transformers' own `generate`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

CACHE = "cache"  # the keys/values a forward returns and takes back (transformers >= 5.24; `past_key_values` before)


@dataclass(frozen=True)
class Sampling:
    greedy: bool = True
    temperature: float = 1.0
    top_k: int = 0  # 0: no top-k cut
    top_p: float = 1.0  # 1: no nucleus cut
    repetition_penalty: float = 1.0  # 1: none; > 1 makes tokens already in the text less likely
    seed: int = 0


@dataclass(frozen=True)
class Generated:
    ids: list[int]  # the new tokens only
    seconds: float
    stopped_at_eos: bool

    @property
    def tokens_per_s(self) -> float:
        return len(self.ids) / self.seconds if self.seconds > 0 else float("nan")


def penalise_repetition(logits: torch.Tensor, seen: torch.Tensor, penalty: float) -> torch.Tensor:
    """CTRL's penalty as transformers applies it: a seen token's logit is divided by `penalty` when positive,
    multiplied by it when negative."""
    picked = logits.gather(-1, seen)
    picked = torch.where(picked < 0, picked * penalty, picked / penalty)
    return logits.scatter(-1, seen, picked)


def cut_top_k(logits: torch.Tensor, k: int) -> torch.Tensor:
    k = min(k, logits.size(-1))
    threshold = torch.topk(logits, k, dim=-1).values[..., -1, None]
    return logits.masked_fill(logits < threshold, -float("inf"))


def cut_top_p(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Keep the smallest set of most likely tokens whose probabilities sum to at least p (always the top one)."""
    ordered, order = torch.sort(logits, descending=False, dim=-1)
    cumulative = ordered.softmax(dim=-1).cumsum(dim=-1)
    remove = cumulative <= (1 - p)
    remove[..., -1:] = False
    return logits.masked_fill(remove.scatter(-1, order, remove), -float("inf"))


def next_token(logits: torch.Tensor, seen: torch.Tensor, sampling: Sampling, generator: torch.Generator) -> int:
    logits = logits.float()
    if sampling.repetition_penalty != 1.0:
        logits = penalise_repetition(logits, seen, sampling.repetition_penalty)
    if sampling.greedy:
        return int(logits.argmax(dim=-1))
    logits = logits / sampling.temperature
    if sampling.top_k > 0:
        logits = cut_top_k(logits, sampling.top_k)
    if sampling.top_p < 1.0:
        logits = cut_top_p(logits, sampling.top_p)
    probabilities = logits.softmax(dim=-1)
    return int(torch.multinomial(probabilities.cpu(), 1, generator=generator))


@torch.no_grad()
def generate(
    model: torch.nn.Module,
    prompt: list[int],
    max_new_tokens: int,
    sampling: Sampling = Sampling(),
    eos_id: int | None = None,
    use_cache: bool = True,
) -> Generated:
    """Up to `max_new_tokens` new tokens after `prompt` (stopping after `eos_id`). With the cache, each step
    feeds only the newest token and the keys/values of the rest come from the cache; without it, each step
    recomputes the whole text so far."""
    model.eval()
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(sampling.seed)
    ids = torch.tensor([prompt], dtype=torch.int64, device=device)
    new: list[int] = []
    past, feed = None, ids
    started = time.perf_counter()
    stopped = False
    for _ in range(max_new_tokens):
        out = model(input_ids=feed, use_cache=use_cache, **{CACHE: past} if past is not None else {})
        token = next_token(out.logits[:, -1], ids, sampling, generator)
        new.append(token)
        ids = torch.cat([ids, torch.tensor([[token]], device=device)], dim=1)
        if eos_id is not None and token == eos_id:
            stopped = True
            break
        past, feed = (out[CACHE], ids[:, -1:]) if use_cache else (None, ids)
    return Generated(new, time.perf_counter() - started, stopped)
