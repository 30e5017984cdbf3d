"""What all-zero weights do to a network's gradients: one forward/backward at default init and at zero init.

For every Conv2d/Linear it measures the gradient norm and the fraction of exactly-zero gradient entries of
each parameter, and the two facts that decide them: is the layer's input all zeros (then dL/dW = delta x input
is zero), and is the gradient reaching its output (delta) all zeros (then dL/dW and dL/db are zero).
Activations come from the layers' own recording scope; deltas from temporary backward hooks, removed after.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from src.modules.layers import Conv2d, Linear, recording
from src.modules.simple_nn import zero_weights_

LAYERS = (Conv2d, Linear, nn.Conv2d, nn.Linear)


@dataclass
class ParamGrad:
    name: str  # e.g. "fc1.bias"
    shape: tuple[int, ...]
    norm: float
    zero_fraction: float  # share of entries that are exactly 0


@dataclass
class LayerState:
    layer: str
    input_all_zero: bool
    output_zero_fraction: float
    delta_all_zero: bool  # the gradient of the loss with respect to the layer's output
    grads: list[ParamGrad] = field(default_factory=list)

    @property
    def vanished(self) -> bool:
        return all(grad.norm == 0.0 for grad in self.grads)


@dataclass
class InitPass:
    loss: float
    layers: list[LayerState]
    gradients: dict[str, torch.Tensor]  # parameter name -> gradient (for histograms)
    weights: dict[str, torch.Tensor]  # parameter name -> value


def one_pass(model: nn.Module, inputs: torch.Tensor, target: torch.Tensor) -> InitPass:
    """One forward/backward with MSE(model(inputs), target) on `model` (its gradients are overwritten)."""
    layers = {name: module for name, module in model.named_modules() if isinstance(module, LAYERS)}
    deltas: dict[str, torch.Tensor] = {}

    def keep_delta(name: str):
        def hook(module: nn.Module, grad_input: tuple, grad_output: tuple) -> None:
            deltas[name] = grad_output[0].detach().clone()

        return hook

    handles = [module.register_full_backward_hook(keep_delta(name)) for name, module in layers.items()]
    model.zero_grad(set_to_none=True)
    with warnings.catch_warnings():
        # conv1's input (the image) needs no gradient; torch warns that its hook then sees only grad_output,
        # which is all this hook reads.
        warnings.filterwarnings("ignore", message="Full backward hook is firing")
        try:
            with recording(model):
                loss = F.mse_loss(model(inputs), target)
                loss.backward()
                seen = {
                    name: (bool((m.last_input == 0).all()), float((m.last_output == 0).float().mean()))
                    for name, m in layers.items()
                    if m.last_input is not None  # torch's own layers do not record
                }
        finally:
            for handle in handles:
                handle.remove()
    states = []
    for name, module in layers.items():
        input_zero, output_zero = seen.get(name, (False, float("nan")))
        delta = deltas.get(name)
        state = LayerState(name, input_zero, output_zero, delta_all_zero=delta is not None and bool((delta == 0).all()))
        for param_name, param in module.named_parameters(recurse=False):
            grad = param.grad if param.grad is not None else torch.zeros_like(param)
            state.grads.append(
                ParamGrad(
                    f"{name}.{param_name}",
                    tuple(param.shape),
                    float(grad.norm()),
                    float((grad == 0).float().mean()),
                )
            )
        states.append(state)
    return InitPass(
        loss=float(loss.detach()),
        layers=states,
        gradients={n: p.grad.detach().clone() for n, p in model.named_parameters() if p.grad is not None},
        weights={n: p.detach().clone() for n, p in model.named_parameters()},
    )


@dataclass
class ZeroInitStudy:
    default: InitPass
    zero: InitPass

    @property
    def vanishing_layers(self) -> list[str]:
        return [state.layer for state in self.zero.layers if state.vanished]

    def why(self, layer: str) -> str:
        """The measured reason a layer's gradients are zero (or not) at zero init."""
        state = next(s for s in self.zero.layers if s.layer == layer)
        reasons = []
        if state.input_all_zero:
            reasons.append("its input is all zeros, so dL/dW = delta x input = 0")
        if state.delta_all_zero:
            reasons.append("no gradient reaches its output (every path back from the loss crosses a zero weight)")
        if not state.vanished:
            partial = [g for g in state.grads if g.zero_fraction > 0]
            text = "gradients flow: its input is non-zero and the loss gradient reaches it directly"
            if partial:
                text += (
                    f" ({', '.join(f'{g.name}: {g.zero_fraction:.0%} zero' for g in partial)}, where a ReLU in "
                    "front of or behind it is inactive)"
                )
            return text
        return "; ".join(reasons) if reasons else "its gradients are exactly zero"

    def as_dict(self) -> dict:
        def pass_dict(p: InitPass) -> dict:
            return {
                "loss": p.loss,
                "layers": [
                    {
                        "layer": s.layer,
                        "input_all_zero": s.input_all_zero,
                        "output_zero_fraction": s.output_zero_fraction,
                        "delta_all_zero": s.delta_all_zero,
                        "grads": [
                            {"name": g.name, "shape": list(g.shape), "norm": g.norm, "zero_fraction": g.zero_fraction}
                            for g in s.grads
                        ],
                    }
                    for s in p.layers
                ],
            }

        return {
            "default_init": pass_dict(self.default),
            "zero_init": pass_dict(self.zero),
            "vanishing_layers": self.vanishing_layers,
            "why": {state.layer: self.why(state.layer) for state in self.zero.layers},
        }


def zero_init_study(model: nn.Module, inputs: torch.Tensor, target: torch.Tensor) -> ZeroInitStudy:
    """(b) one pass on a copy of `model` as it is, (c) one pass on a copy with every Conv/Linear weight zero.
    `model` itself is not touched."""
    default = one_pass(copy.deepcopy(model), inputs, target)
    zero = one_pass(zero_weights_(copy.deepcopy(model)), inputs, target)
    return ZeroInitStudy(default=default, zero=zero)
