"""How many of a network's weights are (nearly) zero: what an L1 penalty does to a weight distribution."""

from __future__ import annotations

import torch

SMALL = 1e-3  # |w| below this counts as (nearly) zero


def weight_tensors(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """layer -> weight of every convolution and linear layer (tensors of 2 or more dimensions; biases and
    batch-norm parameters are left out)."""
    return {
        name.removesuffix(".weight"): tensor
        for name, tensor in state_dict.items()
        if name.endswith(".weight") and tensor.ndim >= 2
    }


def small_weight_fractions(state_dict: dict[str, torch.Tensor], threshold: float = SMALL) -> dict:
    """{"threshold": t, "layers": {layer: fraction of |w| < t}, "overall": fraction over all those weights}."""
    weights = weight_tensors(state_dict)
    small = {layer: int((w.abs() < threshold).sum()) for layer, w in weights.items()}
    sizes = {layer: w.numel() for layer, w in weights.items()}
    return {
        "threshold": threshold,
        "layers": {layer: small[layer] / sizes[layer] for layer in weights},
        "overall": sum(small.values()) / sum(sizes.values()),
    }
