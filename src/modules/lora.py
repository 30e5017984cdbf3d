"""LoRA adapters with peft: the layers they go on, their size (r x (in + out) each), loading and merging them."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch

from src.errors import UserError

# The attention's query/key/value projections per architecture (GPT-2 computes all three in one `c_attn`, the
# course's target; Llama has one module each).
ATTENTION_TARGETS = {"gpt2": ("c_attn",), "llama": ("q_proj", "k_proj", "v_proj")}


def default_targets(model: torch.nn.Module) -> tuple[str, ...]:
    kind = model.config.model_type
    if kind not in ATTENTION_TARGETS:
        raise UserError(f"--lora-targets: no default for a {kind!r} model; name its modules (e.g. q_proj v_proj)")
    return ATTENTION_TARGETS[kind]


def targeted_layers(model: torch.nn.Module, targets: tuple[str, ...]) -> list[tuple[str, torch.nn.Module]]:
    """The modules whose name ends in one of `targets` (peft's own matching rule for plain names)."""
    found = [(name, module) for name, module in model.named_modules() if name.split(".")[-1] in targets]
    if not found:
        raise UserError(f"--lora-targets {' '.join(targets)}: the model has no module of that name")
    return found


def layer_shape(module: torch.nn.Module) -> tuple[int, int]:
    """(in, out) features of a Linear or of transformers' Conv1D (which stores its weight as in x out)."""
    from transformers.pytorch_utils import Conv1D

    if isinstance(module, Conv1D):
        return module.weight.shape[0], module.weight.shape[1]
    if isinstance(module, torch.nn.Linear):
        return module.in_features, module.out_features
    raise UserError(f"--lora-targets: {type(module).__name__} is not a linear layer")


def expected_lora_parameters(model: torch.nn.Module, targets: tuple[str, ...], r: int) -> int:
    """r x (in + out) summed over the targeted layers: A is r x in, B is out x r."""
    return sum(r * sum(layer_shape(module)) for _, module in targeted_layers(model, targets))


def add_lora(model: torch.nn.Module, r: int, alpha: float, dropout: float, targets: tuple[str, ...]):
    """The model with LoRA adapters on `targets` (the base weights frozen): a peft PeftModel."""
    from peft import LoraConfig, get_peft_model
    from transformers.pytorch_utils import Conv1D

    layers = targeted_layers(model, targets)
    for _, module in layers:
        layer_shape(module)  # a one-line error for a target that is not a linear layer
    conv1d = any(isinstance(module, Conv1D) for _, module in layers)
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(targets),
        fan_in_fan_out=conv1d,  # Conv1D's weight is stored transposed
        bias="none",
        task_type="CAUSAL_LM",
    )
    with peft_advice_silenced():
        return get_peft_model(model, config)


def load_lora(model: torch.nn.Module, folder: Path):
    """`model` with the adapter saved in `folder` (peft's format), not merged."""
    from peft import PeftModel

    with peft_advice_silenced():
        return PeftModel.from_pretrained(model, str(folder))


@contextmanager
def peft_advice_silenced() -> Iterator[None]:
    """peft's warnings about what is done here on purpose: an adapter on an lm_head tied to the input embedding
    (merge_lora unties it before merging), and fan_in_fan_out set per layer where Linear and Conv1D targets mix
    (GPT-2's lm_head beside c_attn)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*tied layer is part of the adapter.*")
        warnings.filterwarnings("ignore", message=".*fan_in_fan_out is set to .* but the target module.*")
        yield


def merge_lora(model) -> torch.nn.Module:
    """The adapters folded into their layers' weights (peft's merge_and_unload): the trained model as one plain
    model. A targeted weight that another layer shares is untied first (given its own copy): GPT-2's lm_head and
    a tied Llama's (SmolLM2's) is the input embedding's matrix, which merging in place would change as well."""
    from peft.tuners.lora import LoraLayer

    uses = Counter(id(p) for _, p in model.named_parameters(remove_duplicate=False))
    untied = False
    for module in model.modules():
        base = module.get_base_layer() if isinstance(module, LoraLayer) else None
        if base is not None and uses[id(base.weight)] > 1:
            base.weight = torch.nn.Parameter(base.weight.detach().clone(), requires_grad=False)
            untied = True
    if untied:  # what peft would otherwise set after merging, with a warning
        model.config.tie_word_embeddings = False
    return model.merge_and_unload()


def trainable_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
