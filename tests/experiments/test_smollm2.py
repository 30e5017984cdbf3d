"""The embedded SmolLM2-135M-Instruct: converted once from the wheel's GGUF into a plain model that gives the
GGUF-loaded model's logits, saved where it loads again without the GGUF."""

from __future__ import annotations

import pytest
import torch

from src.data import cache
from src.data.lm import smollm2

pytestmark = pytest.mark.slow  # the conversion de-quantises 98 MB of weights: about 30-60 s on 2 cores


def test_the_gguf_converts_into_a_plain_model_with_the_same_logits(tmp_path, monkeypatch):
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))  # a fresh cache: the conversion itself runs
    folder = smollm2.smollm2_folder()
    assert folder.parent == tmp_path and (folder / "model.safetensors").is_file()
    assert not list(tmp_path.glob(".*.tmp"))  # no staging folder left behind
    converted = AutoModelForCausalLM.from_pretrained(folder).eval()
    assert type(converted) is LlamaForCausalLM and converted.dtype == torch.float32
    config = converted.config
    assert (config.num_hidden_layers, config.hidden_size, config.vocab_size) == (30, 576, 49152)
    assert sum(p.numel() for p in converted.parameters()) == 134_515_008
    tokenizer = AutoTokenizer.from_pretrained(folder)
    gguf = smollm2.gguf_path()
    original = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name).eval()
    ids = tokenizer("To be, or not to be, that is the question:", return_tensors="pt")["input_ids"]
    assert ids.shape[1] > 5
    with torch.no_grad():
        assert torch.equal(converted(ids).logits, original(ids).logits)
    assert smollm2.smollm2_folder() == folder  # the second call finds it in the cache
