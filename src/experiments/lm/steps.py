"""The lm experiment's steps: the pretrained model measured, each fine-tuning (full, LoRA) trained from the same
pretrained weights and measured the same way, everything side by side, the curves, the report."""

from __future__ import annotations

import copy
import gc
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch

from src.callbacks import GracefulInterrupt
from src.callbacks.checkpointing import CHECKPOINTS, LAST
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.lm.config import MODELS_DIR, LMConfig
from src.experiments.lm.data import LMData, prepare_lm
from src.experiments.lm.evaluation import evaluate_model
from src.experiments.lm.figures import lm_curves_figure
from src.experiments.lm.fit import build_lm_fit, lm_precision
from src.experiments.lm.models import TINY, save_model
from src.experiments.lm.report import generations_markdown, render_lm_report
from src.experiments.lm.summary import lm_summary
from src.experiments.ranks import is_rank_zero
from src.experiments.run_context import RunContext
from src.experiments.steps import Run, Steps
from src.modules.lora import add_lora, default_targets, expected_lora_parameters, merge_lora, trainable_parameters

LORA_ADAPTER, FULL_MODEL, BASE_MODEL = "lora_adapter", "full", "base"


@dataclass
class Variant:
    """One model of the comparison: the pretrained one, or a fine-tuning of it."""

    name: str  # pretrained, full, lora
    parameters: int  # of the model as it trains: LoRA's adapters included
    trainable: int
    measured: dict | None  # evaluate_model's; None while interrupted
    history: list[dict] | None = None  # a fine-tuning's validations
    timing: dict | None = None  # its StepTimer summary
    expected_trainable: int | None = None  # LoRA: r x (in + out) over the targeted layers
    targets: tuple[str, ...] = ()
    saved: str | None = None  # where its weights went, relative to the run directory


@dataclass(frozen=True)
class Trained:
    variants: dict[str, Variant]
    device: str
    precision: str


def lora_model(cfg: LMConfig, base: torch.nn.Module) -> tuple[torch.nn.Module, tuple[str, ...], int]:
    targets = cfg.lora_targets or default_targets(base)
    expected = expected_lora_parameters(base, targets, cfg.lora_r)
    return add_lora(base, cfg.lora_r, cfg.lora_alpha, cfg.lora_dropout, targets), targets, expected


class LMSteps(Steps[LMConfig, LMData, Trained]):
    def prepare(self, cfg: LMConfig) -> LMData:
        return prepare_lm(cfg)

    def train(self, cfg: LMConfig, data: LMData, context: RunContext) -> Trained:
        base = data.loaded.model
        device = torch.device("cuda") if cfg.uses_gpu(context.machine) else torch.device("cpu")
        precision = lm_precision(cfg, context.machine)
        models = context.run_dir / MODELS_DIR
        count = sum(p.numel() for p in base.parameters())
        variants = {"pretrained": Variant("pretrained", count, 0, evaluate_model(cfg, base, data, device))}
        base.cpu()
        if cfg.model == TINY and is_rank_zero() and not (models / BASE_MODEL).exists():
            save_model(base, data.loaded.tokenizer, models / BASE_MODEL)  # random weights: generate needs them
        for method in cfg.methods:
            pl.seed_everything(cfg.seed, workers=True, verbose=False)  # each fine-tuning as if it ran alone
            model, trained, targets, expected = copy.deepcopy(base).train(), None, (), None
            if method == "lora":
                model, targets, expected = lora_model(cfg, model)
            total = sum(p.numel() for p in model.parameters())  # LoRA's adapters included
            variant = Variant(method, total, trainable_parameters(model), None, None, None, expected, targets)
            variants[method] = variant
            checkpointing = context.checkpoint_callbacks(1, None, part=method)
            fit = build_lm_fit(cfg, method, model, data, context.machine, context.run_dir / method, checkpointing)
            interrupt = next(c for c in fit.trainer.callbacks if isinstance(c, GracefulInterrupt))
            with interrupt.holding():  # a signal while it is measured stops the run after the measurement
                if context.fit(fit, part=method) and interrupt.received is None:
                    trained = fit.module.model
                    if method == "lora":
                        variant.saved = save_lora(trained, models / LORA_ADAPTER)
                        trained = merge_lora(trained)  # the adapters folded into the weights
                    else:
                        if is_rank_zero() and not (models / FULL_MODEL).exists():
                            save_model(trained, data.loaded.tokenizer, models / FULL_MODEL)
                        variant.saved = f"{MODELS_DIR}/{FULL_MODEL}"
                    variant.measured = evaluate_model(cfg, trained, data, device)
                    final_validation(fit, variant.measured)
            if interrupt.received is not None and context.interruption is None:  # after training: last.ckpt
                context.stopped(interrupt.received, fit.trainer, interrupt.checkpoint_path.parent / LAST)
            variant.history, variant.timing = fit.history.history, fit.timer.summary()
            fit = model = trained = None  # the fine-tuned weights, gradients and AdamW state: not needed again
            gc.collect()
            if context.interruption is not None:
                break
        if context.interruption is None and is_rank_zero():
            remove_resume_checkpoints(context.run_dir, cfg.methods)
        return Trained(variants, str(device), precision)

    def results(self, cfg: LMConfig, data: LMData, trained: Trained) -> dict:
        return {
            "data": data.texts.describe(),
            "model": {"name": data.loaded.name, "description": data.loaded.description}
            | ({"revision": data.loaded.revision} if data.loaded.revision else {}),
            "text": data.processing,
            "course_padding": course_padding(data, cfg),
            "variants": {name: variant_results(cfg, variant) for name, variant in trained.variants.items()},
            "config": {"device": trained.device, "precision": trained.precision},
        }

    def figures(self, results: dict, data: LMData, trained: Trained, sink: FigureSink) -> dict[str, FigureFile]:
        histories = {n: v["history"] for n, v in results["variants"].items() if v.get("history")}
        figures = {}
        if histories:
            pretrained = results["variants"]["pretrained"]["measured"]
            reference = pretrained["val"]["loss"] if pretrained else None
            figure = lm_curves_figure(histories, reference, results["config"]["perplexity"])
            figures["curves"] = sink.save(figure, "learning_curves", "training and validation loss per step")
        sink.text("generations", generations_markdown(results))
        return figures

    def report(self, results: dict, figures: dict[str, FigureFile], trained: Trained) -> str:
        return render_lm_report(results, figures)

    def summary(self, run: Run) -> list[str]:
        return [lm_summary(run.results)]


def final_validation(fit, measured: dict) -> None:
    """The curve ends where the table does: when the last validation came before the last step (--val-every
    counts within each epoch), the final measurement of the validation split is added as its last point, in the
    history and in TensorBoard (at Lightning's step index, one below the steps taken)."""
    history, step = fit.history.history, fit.trainer.global_step
    if history and history[-1]["step"] >= step:
        return
    row = {"step": step, "val/loss": measured["val"]["loss"], "val/perplexity": measured["val"]["perplexity"]}
    train = fit.module.train_loss_since_last_validation()
    if train is not None:
        row["train/loss_since_last_val"] = train
    history.append(row)
    if is_rank_zero() and fit.trainer.logger is not None:
        fit.trainer.logger.log_metrics({k: v for k, v in row.items() if k != "step"}, step=step - 1)
        fit.trainer.logger.experiment.flush()


def remove_resume_checkpoints(run_dir: Path, methods: tuple[str, ...]) -> None:
    """A completed run cannot be resumed, and its fine-tuned weights are in models/: its checkpoints (full
    fine-tuning's holds the weights and AdamW's two moments, 1.6 GB for SmolLM2) would only take up disk."""
    for method in methods:
        for checkpoint in (run_dir / CHECKPOINTS / method).glob("*.ckpt"):
            checkpoint.unlink()


def save_lora(model, folder: Path) -> str:
    """The adapter alone, in peft's format (adapter_config.json + adapter_model.safetensors): without the frozen
    embedding matrix that peft would add when the output layer (lm_head, tied to it) has an adapter."""
    from src.data.cache import publish_folder

    if is_rank_zero() and not folder.exists():
        publish_folder(folder, lambda staging: model.save_pretrained(str(staging), save_embedding_layers=False))
    return f"{MODELS_DIR}/{folder.name}"


def variant_results(cfg: LMConfig, variant: Variant) -> dict:
    out = {
        "parameters": variant.parameters,
        "trainable": variant.trainable,
        "measured": variant.measured,
        "saved": variant.saved,
    }
    if variant.timing is not None:
        out["history"] = variant.history
        out["timing"] = variant.timing
        out["lr"] = cfg.lora_lr if variant.name == "lora" else cfg.full_lr(cfg.model)
        out["state_bytes"] = training_state_bytes(variant.parameters, variant.trainable)
    if variant.expected_trainable is not None:
        out["lora"] = {
            "r": cfg.lora_r,
            "alpha": cfg.lora_alpha,
            "dropout": cfg.lora_dropout,
            "targets": list(variant.targets),
            "expected_trainable": variant.expected_trainable,
        }
    return out


def training_state_bytes(parameters: int, trainable: int) -> int:
    """float32 weights, plus a gradient and AdamW's two moments per trainable weight (activations not counted)."""
    return 4 * parameters + 4 * 3 * trainable


def course_padding(data: LMData, cfg: LMConfig) -> dict:
    """The share of compute the course's recipe would spend on padding here (every non-empty training line
    padded, or cut, to 1,024 tokens, GPT-2's context), against our packed blocks (padding only in the last)."""
    context = min(data.loaded.max_positions or 1024, 1024)
    useful = sum(min(len(line), context) for line in data.lines["train"])
    slots = len(data.lines["train"]) * context
    blocks = data.blocks
    packed_slots = len(blocks) * cfg.block_size
    return {
        "context": context,
        "lines": len(data.lines["train"]),
        "course_padding_share": 1 - useful / slots if slots else None,
        "packed_padding_share": 1 - sum(len(b) for b in blocks) / packed_slots if packed_slots else None,
    }
