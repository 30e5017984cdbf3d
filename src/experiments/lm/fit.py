"""The Lightning fit of one fine-tuning (full or LoRA): LMDataModule, CausalLMModule, observers and a Trainer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from pytorch_lightning.callbacks import Callback

from src.callbacks.step_timer import StepTimer
from src.callbacks.validation_history import ValidationHistory
from src.config import Machine
from src.data.lm.lm_datamodule import LMDataModule
from src.experiments.fit import Fit
from src.experiments.lm.config import LMConfig
from src.experiments.lm.data import LMData
from src.experiments.trainer_factory import build_trainer
from src.modules.causal_lm import CausalLMModule

GRADIENT_CLIP = 1.0  # the usual for transformer fine-tuning: one bad batch cannot throw the weights far


@dataclass(frozen=True)
class LMFit(Fit):
    method: str
    history: ValidationHistory
    timer: StepTimer


def lm_precision(cfg: LMConfig, machine: Machine) -> str:
    """bf16-mixed where the GPU has bfloat16 (Ampere and later), else full float32."""
    if cfg.precision != "auto":
        return cfg.precision
    if cfg.uses_gpu(machine) and torch.cuda.is_bf16_supported():
        return "bf16-mixed"
    return "32-true"


def build_lm_fit(
    cfg: LMConfig,
    method: str,
    model: torch.nn.Module,
    data: LMData,
    machine: Machine,
    log_dir: Path,
    checkpointing: Sequence[Callback] = (),
) -> LMFit:
    """One fine-tuning of `model` (already given its adapters for LoRA), logging to `log_dir`."""
    datamodule = LMDataModule(
        data.blocks, data.val_windows, cfg.batch_size, cfg.eval_batch_size, data.loaded.pad_id, cfg.seed
    )
    lr = cfg.lora_lr if method == "lora" else cfg.full_lr(cfg.model)
    module = CausalLMModule(model, lr, cfg.weight_decay, cfg.warmup_steps, cfg.max_steps)
    history, timer = ValidationHistory(), StepTimer()
    batches_per_epoch = math.ceil(len(data.blocks) / cfg.batch_size)
    steps_per_epoch = max(1, batches_per_epoch // cfg.accumulate)
    trainer = build_trainer(
        log_dir,
        max_epochs=math.ceil(cfg.max_steps / steps_per_epoch),
        max_steps=cfg.max_steps,
        callbacks=[history, timer, *checkpointing],
        accelerator=cfg.accelerator,
        devices=1,
        precision=lm_precision(cfg, machine),
        progress_bar_refresh=1 if cfg.progress_bar else None,
        progress_label=method,
        enable_checkpointing=bool(checkpointing),
        deterministic=cfg.deterministic or None,
        accumulate_grad_batches=cfg.accumulate,
        gradient_clip_val=GRADIENT_CLIP,
        # Counted within each epoch: Lightning's count across epochs (check_val_every_n_epoch=None) comes back
        # one too high from a mid-epoch checkpoint, so a resumed run would validate one step early.
        val_check_interval=min(cfg.val_every * cfg.accumulate, batches_per_epoch),
        check_val_every_n_epoch=1,
        log_every_n_steps=1,
    )
    return LMFit(trainer, module, datamodule, method, history, timer)
