"""LoRA: the trainable count is r x (in + out) per targeted layer, a merged model gives the adapter model's
logits, and the adapter alone saves and loads back in peft's format."""

from __future__ import annotations

import copy

import pytest
import torch
from lm_models import VOCAB, tiny_gpt2, tiny_llama

from src.errors import UserError
from src.modules.lora import add_lora, default_targets, expected_lora_parameters, merge_lora, trainable_parameters


def perturbed(model):
    """LoRA's B starts at zero (the adapter model equals the base); give every adapter weight a value."""
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.1)
    return model


@pytest.mark.parametrize(
    ("build", "targets", "per_layer"),
    [
        (tiny_gpt2, ("c_attn",), 32 + 96),  # GPT-2's c_attn: 32 in, 3 x 32 out (q, k, v together)
        (tiny_llama, ("q_proj", "k_proj", "v_proj"), (32 + 32) + (32 + 16) + (32 + 16)),  # 2 key/value heads of 8
    ],
)
def test_trainable_parameters_are_r_times_in_plus_out_per_targeted_layer(build, targets, per_layer):
    base = build()
    assert default_targets(base) == targets
    r, layers = 4, 2
    assert expected_lora_parameters(base, targets, r) == r * per_layer * layers
    adapted = add_lora(base, r=r, alpha=8, dropout=0.0, targets=targets)
    assert trainable_parameters(adapted) == r * per_layer * layers


@pytest.mark.parametrize("build", [tiny_gpt2, tiny_llama])
def test_a_merged_model_gives_the_adapter_models_logits(build):
    adapted = perturbed(add_lora(build(), r=4, alpha=8, dropout=0.1, targets=default_targets(build())))
    adapted.eval()
    ids = torch.randint(0, VOCAB, (2, 20), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        adapter_logits = adapted(input_ids=ids).logits
        merged = copy.deepcopy(adapted).merge_and_unload()
        merged_logits = merged(input_ids=ids).logits
    torch.testing.assert_close(merged_logits, adapter_logits, rtol=1e-5, atol=1e-5)
    with torch.no_grad():
        plain = build()(input_ids=ids).logits
    assert not torch.allclose(plain, adapter_logits, atol=1e-3)  # the adapters do change the model


@pytest.mark.parametrize(("build", "layer"), [(tiny_gpt2, "c_attn"), (tiny_llama, "q_proj")])
def test_an_adapter_on_the_output_layer_tied_to_the_embedding_merges_into_the_trained_model(build, layer):
    """Regression: merging into lm_head, which is the input embedding's matrix, changed the embedding too, and the
    merged model's logits were up to about 2 away from the trained (adapter) model's."""
    base = build()
    embedding = base.get_input_embeddings().weight.detach().clone()
    assert base.get_output_embeddings().weight is base.get_input_embeddings().weight  # tied
    adapted = perturbed(add_lora(base, r=4, alpha=8, dropout=0.0, targets=(layer, "lm_head"))).eval()
    ids = torch.randint(0, VOCAB, (2, 20), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        adapter_logits = adapted(input_ids=ids).logits
        merged = merge_lora(adapted)
        merged_logits = merged(input_ids=ids).logits
    torch.testing.assert_close(merged_logits, adapter_logits, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(merged.get_input_embeddings().weight, embedding, rtol=0, atol=0)
    assert not merged.config.tie_word_embeddings  # a save and reload keeps the two matrices apart


def test_the_adapter_saves_alone_and_loads_back_onto_its_base(tmp_path):
    from peft import PeftModel

    adapted = perturbed(add_lora(tiny_gpt2(), r=4, alpha=8, dropout=0.0, targets=("c_attn",))).eval()
    adapted.save_pretrained(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md",
        "adapter_config.json",
        "adapter_model.safetensors",
    ]
    assert (tmp_path / "adapter_model.safetensors").stat().st_size < 20_000  # the adapters only, not the base
    loaded = PeftModel.from_pretrained(tiny_gpt2(), str(tmp_path)).eval()
    ids = torch.randint(0, VOCAB, (1, 12), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        torch.testing.assert_close(loaded(input_ids=ids).logits, adapted(input_ids=ids).logits)


def test_an_unknown_target_is_a_one_line_error():
    with pytest.raises(UserError, match="--lora-targets q_proj: the model has no module of that name"):
        expected_lora_parameters(tiny_gpt2(), ("q_proj",), 4)
