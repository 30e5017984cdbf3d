"""Tiny causal LMs built from configs in the tests (no download): a GPT-2 and a Llama (SmolLM2's architecture)."""

from __future__ import annotations

import torch

VOCAB = 96


def tiny_gpt2(seed: int = 0, vocab: int = VOCAB, positions: int = 64):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=vocab, n_layer=2, n_head=2, n_embd=32, n_positions=positions, eos_token_id=vocab - 1)
    return GPT2LMHeadModel(config).eval()


def tiny_llama(seed: int = 0, vocab: int = VOCAB, positions: int = 64):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=positions,
        tie_word_embeddings=True,
        eos_token_id=vocab - 1,
    )
    return LlamaForCausalLM(config).eval()


def reference_sliding(model, ids: torch.Tensor, window: int, stride: int) -> float:
    """Perplexity by Hugging Face's documented loop, one window at a time with the model's own loss (labels -100
    on the context), each window's mean weighted by the tokens it really predicted."""
    import math

    nll, count, previous_end = 0.0, 0, 0
    for begin in range(0, len(ids), stride):
        end = min(begin + window, len(ids))
        target_length = end - previous_end
        inputs = ids[begin:end][None]
        labels = inputs.clone()
        labels[:, :-target_length] = -100
        predicted = int((labels[:, 1:] != -100).sum())
        if predicted:
            with torch.no_grad():
                nll += float(model(inputs, labels=labels).loss) * predicted
            count += predicted
        previous_end = end
        if end == len(ids):
            break
    return math.exp(nll / count)
