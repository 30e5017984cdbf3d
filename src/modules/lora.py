"""LoRA adapters with peft: which layers get them, and how many parameters they add (r x (in + out) each)."""

from __future__ import annotations

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
    return get_peft_model(model, config)


def trainable_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
