"""Generation: greedy decoding equals transformers' own generate, the cache changes nothing but speed, seeded
sampling is reproducible, and the top-k / top-p / repetition rules are transformers' own."""

from __future__ import annotations

import pytest
import torch
from lm_models import VOCAB, tiny_gpt2, tiny_llama

from src.modules.generation import Sampling, cut_top_k, cut_top_p, generate, penalise_repetition

PROMPT = [5, 17, 3, 42, 8]


@pytest.fixture(scope="module", params=["gpt2", "llama"])
def model(request):
    return tiny_gpt2(seed=3) if request.param == "gpt2" else tiny_llama(seed=3)


def hf_generate(model, prompt, **kwargs) -> list[int]:
    ids = torch.tensor([prompt])
    out = model.generate(ids, attention_mask=torch.ones_like(ids), pad_token_id=0, **kwargs)
    return out[0, len(prompt) :].tolist()


def test_greedy_equals_transformers_generate(model):
    ours = generate(model, PROMPT, 25, Sampling(greedy=True), eos_id=None)
    assert ours.ids == hf_generate(model, PROMPT, max_new_tokens=25, do_sample=False, eos_token_id=None)


def test_greedy_with_a_repetition_penalty_equals_transformers_generate(model):
    ours = generate(model, PROMPT, 25, Sampling(greedy=True, repetition_penalty=1.5), eos_id=None)
    reference = hf_generate(
        model, PROMPT, max_new_tokens=25, do_sample=False, repetition_penalty=1.5, eos_token_id=None
    )
    assert ours.ids == reference


def test_the_kv_cache_changes_nothing_but_the_work(model):
    for sampling in (Sampling(greedy=True), Sampling(greedy=False, temperature=0.9, top_k=20, seed=4)):
        cached = generate(model, PROMPT, 20, sampling, use_cache=True)
        recomputed = generate(model, PROMPT, 20, sampling, use_cache=False)
        assert cached.ids == recomputed.ids


def test_seeded_sampling_is_reproducible_and_the_seed_matters(model):
    sampling = Sampling(greedy=False, temperature=1.0, top_p=0.95, repetition_penalty=1.2, seed=11)
    first = generate(model, PROMPT, 30, sampling).ids
    assert generate(model, PROMPT, 30, sampling).ids == first
    other = Sampling(greedy=False, temperature=1.0, top_p=0.95, repetition_penalty=1.2, seed=12)
    assert generate(model, PROMPT, 30, other).ids != first


def test_top_k_of_one_is_greedy(model):
    greedy = generate(model, PROMPT, 15, Sampling(greedy=True)).ids
    assert generate(model, PROMPT, 15, Sampling(greedy=False, top_k=1, seed=5)).ids == greedy


def test_generation_stops_after_the_end_of_text_token(model):
    free = generate(model, PROMPT, 10, Sampling(greedy=True)).ids
    stopped = generate(model, PROMPT, 10, Sampling(greedy=True), eos_id=free[3])
    assert stopped.ids == free[: free.index(free[3]) + 1] and stopped.stopped_at_eos


def test_the_logit_rules_equal_transformers_processors():
    from transformers import RepetitionPenaltyLogitsProcessor, TopKLogitsWarper, TopPLogitsWarper

    logits = torch.randn(1, VOCAB, generator=torch.Generator().manual_seed(0)) * 3
    seen = torch.tensor([[1, 5, 5, 9]])
    assert torch.equal(penalise_repetition(logits, seen, 1.3), RepetitionPenaltyLogitsProcessor(1.3)(seen, logits))
    assert torch.equal(cut_top_k(logits, 7), TopKLogitsWarper(7)(seen, logits.clone()))
    for p in (0.1, 0.5, 0.9, 0.999):
        assert torch.equal(cut_top_p(logits, p), TopPLogitsWarper(p)(seen, logits.clone()))
