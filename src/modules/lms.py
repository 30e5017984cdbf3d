"""LMSModule: the Widrow-Hoff LMS filter as a LightningModule, for one or several learning rates side by side."""

from __future__ import annotations

from collections.abc import Sequence

import pytorch_lightning as pl
import torch
from torch import nn

from src.internals import LeanHookBookkeeping

DTYPES = {"float64": torch.float64, "float32": torch.float32}


class LMSModule(LeanHookBookkeeping, pl.LightningModule):
    """w <- w + r e x with e = d - w.x, one sample per training step, manual optimization.

    Every rate r_k owns its weight vector and its SGD param group (lr = r_k), so a sweep trains all rates in
    one fit while each still sees exactly one sample per step. The step minimises 0.5 * e**2: its gradient is
    -e x, so SGD's update w - r * (-e x) is exactly the LMS rule (MSELoss would double the effective rate).
    A rate can be frozen (see DivergenceDetector); it then keeps its weights and takes no further steps.
    """

    def __init__(self, lrs: Sequence[float], w0: Sequence[float], dtype: str) -> None:
        super().__init__()
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
        # Plain lists before save_hyperparameters, which also inspects this frame's locals (NumPy arrays break it).
        lrs, w0 = [float(r) for r in lrs], [float(v) for v in w0]
        self.save_hyperparameters({"lrs": lrs, "w0": w0, "dtype": dtype})
        self.automatic_optimization = False
        self.lrs = tuple(lrs)
        # Built from the Python floats in the target dtype: a float32 detour would turn 0.53 into 0.529999971.
        self.weights = nn.ParameterList(nn.Parameter(torch.tensor(w0, dtype=DTYPES[dtype])) for _ in self.lrs)
        self.register_buffer("frozen", torch.zeros(len(self.lrs), dtype=torch.bool))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        groups = [{"params": [w], "lr": r} for w, r in zip(self.weights, self.lrs, strict=True)]
        return torch.optim.SGD(groups, lr=self.lrs[0])

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        x, d = batch  # (p+1,), ()
        w = torch.stack(tuple(self.weights))  # (K, p+1), one row per rate
        e = d - w @ x  # (K,)
        loss = 0.5 * (e * e).sum()  # rates do not interact: d loss / d w_k = -e_k x
        if not loss.requires_grad:  # every rate is frozen
            return
        optimizer = self.optimizers()
        optimizer.zero_grad()
        self.manual_backward(loss)
        optimizer.step()

    @torch.no_grad()
    def weight_matrix(self) -> torch.Tensor:
        """The current weights, (K, p+1), detached."""
        return torch.stack(tuple(self.weights)).detach()

    @torch.no_grad()
    def dataset_mse(self, X: torch.Tensor, D: torch.Tensor) -> torch.Tensor:
        """Full-dataset MSE of every rate's weights, (K,): mean over samples of (d - w.x)**2."""
        residual = D[:, None] - X @ self.weight_matrix().T  # (N, K)
        return (residual * residual).mean(dim=0)

    def freeze_rate(self, index: int) -> None:
        """Stop updating rate `index`: its weights stay as they are (the SGD step skips parameters without grad)."""
        self.frozen[index] = True
        weight = self.weights[index]
        weight.requires_grad_(False)
        weight.grad = None

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        # requires_grad is not part of a state_dict: re-derive it from the restored `frozen` buffer.
        frozen = checkpoint["state_dict"]["frozen"].tolist()
        for weight, is_frozen in zip(self.weights, frozen, strict=True):
            weight.requires_grad_(not is_frozen)
