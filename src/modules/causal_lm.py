"""CausalLMModule: fine-tunes a Hugging Face causal LM (full or with LoRA adapters) on packed blocks.

The loss is the per-token cross-entropy over the real (predicted) tokens of a batch: padding and the first token
of each block are never counted. Validation reports the token-weighted mean over the whole validation stream
(not a mean of batch means) and its perplexity. AdamW on the trainable parameters only, the learning rate
warmed up linearly and then decayed linearly to zero at the last step, stepped per optimizer step.
"""

from __future__ import annotations

import math

import pytorch_lightning as pl
import torch
from torch.nn import functional as F

from src.data.lm.packing import IGNORE


class WarmupLinearDecay:
    """LambdaLR's function: (step + 1) / (warmup + 1) during the warm-up, then linearly down, reaching 0 once
    `total_steps` steps are taken (the last step's rate is one decrement above it; plain numbers, so the
    scheduler's state_dict stays plain data)."""

    def __init__(self, warmup_steps: int, total_steps: int) -> None:
        self.warmup_steps, self.total_steps = warmup_steps, total_steps

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return (step + 1) / (self.warmup_steps + 1)
        remaining = self.total_steps - step
        return max(0.0, remaining / max(1, self.total_steps - self.warmup_steps))


def summed_nll(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(summed cross-entropy, number of predicted tokens) of labels[:, 1:] given logits[:, :-1]."""
    targets = labels[:, 1:]
    flat = logits[:, :-1].reshape(-1, logits.size(-1)).float()  # (positions, vocabulary): no transposed view
    nll = F.cross_entropy(flat, targets.reshape(-1), ignore_index=IGNORE, reduction="sum")
    return nll, (targets != IGNORE).sum()


class CausalLMModule(pl.LightningModule):
    def __init__(
        self, model: torch.nn.Module, lr: float, weight_decay: float, warmup_steps: int, total_steps: int
    ) -> None:
        super().__init__()
        self.model = model
        self.lr, self.weight_decay = lr, weight_decay
        self.warmup_steps, self.total_steps = warmup_steps, total_steps
        self._val = torch.zeros(2, dtype=torch.float64)  # summed NLL, predicted tokens
        self._train = torch.zeros(2, dtype=torch.float64)  # the same since the last validation

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        nll, count = summed_nll(self(batch), batch["labels"])
        loss = nll / count.clamp(min=1)
        self._train += torch.stack([nll.detach().double().cpu(), count.double().cpu()])
        self.log("train/loss", loss.detach(), on_step=True, on_epoch=False, batch_size=int(count))
        return loss

    def on_validation_epoch_start(self) -> None:
        self._val.zero_()

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        nll, count = summed_nll(self(batch), batch["labels"])
        self._val += torch.stack([nll.double().cpu(), count.double().cpu()])

    def on_validation_epoch_end(self) -> None:
        nll, count = self.trainer.strategy.reduce(self._val.to(self.device), reduce_op="sum").tolist()
        loss = nll / max(count, 1)
        self.log("val/loss", loss, sync_dist=False)
        self.log("val/perplexity", math.exp(min(loss, 700.0)), sync_dist=False)
        if self.trainer.state.fn == "fit" and self._train[1] > 0:
            self.log("train/loss_since_last_val", float(self._train[0] / self._train[1]), sync_dist=False)
            self._train.zero_()

    def train_loss_since_last_validation(self) -> float | None:
        """The token-weighted training loss of the steps since the last validation (None: no step since)."""
        return float(self._train[0] / self._train[1]) if self._train[1] > 0 else None

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint["train_since_last_val"] = self._train.tolist()  # a resumed run reports the same interval

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self._train = torch.tensor(checkpoint.get("train_since_last_val", [0.0, 0.0]), dtype=torch.float64)

    def configure_optimizers(self):
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        decay = [p for p in trainable if p.ndim >= 2]  # no weight decay on biases and norms (GPT-2's recipe)
        rest = [p for p in trainable if p.ndim < 2]
        groups = [{"params": decay, "weight_decay": self.weight_decay}, {"params": rest, "weight_decay": 0.0}]
        optimizer = torch.optim.AdamW([g for g in groups if g["params"]], lr=self.lr)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, WarmupLinearDecay(self.warmup_steps, self.total_steps))
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}
