"""train_grid: train every variant (side by side where they share an architecture), test each one's best
epoch, and keep what the results, reports and figures need."""

from __future__ import annotations

import contextlib
import io
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch.utils.tensorboard import SummaryWriter

from src.analysis import LayerTable, layer_summary
from src.atomic import write_atomic
from src.callbacks import GracefulInterrupt
from src.callbacks.checkpointing import CHECKPOINTS
from src.callbacks.subrun_writers import close_writers
from src.config.course import CourseRun
from src.data import ImageSplits
from src.experiments.grid.fit import GridFit, build_grid_fit, group_variants, subrun_writers
from src.experiments.grid.hparams import write_hparams
from src.experiments.grid.variant import Variant
from src.experiments.grid.weights import small_weight_fractions
from src.experiments.overfitting import overfitting
from src.experiments.run_context import RunContext
from src.experiments.trainer_factory import device_count

VARIANT_CHECKPOINT_FORMAT = 1


@dataclass(frozen=True)
class VariantOutcome:
    variant: Variant
    history: list[dict]  # MemberCurves rows: epoch 0 (untrained, validation only), then one per trained epoch
    best_epoch: int | None  # by validation accuracy; None when no epoch had a finite validation loss
    best_val_acc: float | None
    test: dict | None  # {"loss", "acc"} of the best epoch's weights on the test split
    diverged_epoch: int | None
    fit: str  # the label of the fit that trained it
    final_weights: dict[str, torch.Tensor]  # after the last epoch, on the CPU

    @property
    def trained(self) -> list[dict]:
        return [row for row in self.history if row["epoch"] > 0]

    @property
    def last(self) -> dict | None:
        """The last trained epoch with finite losses (the one before a divergence: a network with inf or NaN
        weights still has an accuracy, of no meaning)."""
        finite = [row for row in self.trained if row["train/loss"] is not None and row["val/loss"] is not None]
        return finite[-1] if finite else None

    @property
    def final(self) -> dict | None:
        """The last finite epoch's train and validation accuracy and their gap."""
        last = self.last
        if last is None:
            return None
        gap = last["train/acc"] - last["val/acc"]
        return {"epoch": last["epoch"], "train_acc": last["train/acc"], "val_acc": last["val/acc"], "gap": gap}

    def as_dict(self) -> dict:
        return {
            "name": self.variant.name,
            "description": self.variant.settings(),
            "settings": self.variant.hparams(),
            "architecture": self.variant.architecture,
            "fit": self.fit,
            "history": self.history,
            "initial": {key: self.history[0].get(key) for key in ("val/loss", "val/acc")} if self.history else None,
            "best_val": None if self.best_epoch is None else {"epoch": self.best_epoch, "acc": self.best_val_acc},
            "final": self.final,
            "test": self.test,
            "diverged_epoch": self.diverged_epoch,
            "small_weights": small_weight_fractions(self.final_weights),
        }


@dataclass(frozen=True)
class FitRecord:
    label: str
    variants: tuple[str, ...]
    mode: str  # vectorized or loop (side by side), off (a fit per variant), single (the only one of its kind)
    seconds: float  # the fit's time, each epoch's validation included (not the validation before it or the test)
    train_seconds: float  # its epochs' training alone (EpochTimer; an interrupted fit's partial epoch not counted)
    epochs: int  # epochs trained (fewer when every variant diverged or the run was interrupted)
    completed: bool  # False: interrupted

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "variants": list(self.variants),
            "mode": self.mode,
            "seconds": self.seconds,
            "train_seconds": self.train_seconds,
            "epochs": self.epochs,
            "completed": self.completed,
        }


@dataclass(frozen=True)
class GridRun:
    """What train_grid trained (grid_results: the part of results.json both labs share)."""

    outcomes: dict[str, VariantOutcome]  # by variant name, in training order
    fits: list[FitRecord]
    tables: dict[str, LayerTable]  # by architecture
    device: str  # where the fits ran
    normalization: dict[str, list[float]]  # the per-channel mean and std the images were normalised with
    untrained: list[str]  # variants an interruption left untrained
    batch_size_used: int  # images per training batch (fewer than --batch-size when the training set is smaller)


def grid_results(run: GridRun) -> dict:
    return {
        "variants": [outcome.as_dict() for outcome in run.outcomes.values()],
        "overfitting": {name: overfitting(outcome.history) for name, outcome in run.outcomes.items()},
        "fits": [fit.as_dict() for fit in run.fits],
        "untrained": run.untrained,
        "config": {
            "device": run.device,
            "normalized_with": run.normalization,
            "batch_size_used": run.batch_size_used,
        },
    }


def train_grid(cfg: CourseRun, splits: ImageSplits, variants: Sequence[Variant], context: RunContext) -> GridRun:
    """`variants`: at least one, distinct names.

    Each group of variants (group_variants) in one fit: a validation pass before training (epoch 0: the
    untrained networks), training, then the test split on each variant's best epoch. On rank zero, each
    variant's best weights go to checkpoints/<name>.pt and its HParams session to its sub-run."""
    if len({variant.name for variant in variants}) != len(variants):
        raise ValueError(f"variants must have distinct names, got {[v.name for v in variants]}")
    outcomes: dict[str, VariantOutcome] = {}
    fits: list[FitRecord] = []
    tables: dict[str, LayerTable] = {}
    interrupt = GracefulInterrupt(None)  # one for every fit, and for what runs between them
    single_process = device_count(cfg, context.machine) * cfg.num_nodes == 1
    fit = None
    with interrupt.holding() if single_process else contextlib.nullcontext():
        for label, group in group_variants(variants, cfg.side_by_side):
            architecture = group[0].architecture
            writers = subrun_writers(context.run_dir, group)
            try:
                fit = build_grid_fit(
                    cfg,
                    splits,
                    label,
                    group,
                    context.run_dir,
                    context.machine,
                    writers,
                    summary=architecture not in tables,
                    interrupt=interrupt,
                )
                if architecture not in tables:
                    tables[architecture] = layer_summary(fit.module.model, fit.module.example_input_array)
                fit.trainer.validate(fit.module, datamodule=fit.datamodule, verbose=False)
                if interrupt.received is not None:  # during that validation: this fit's variants stay untrained
                    break
                started = time.perf_counter()
                completed = context.fit(fit)  # False: stopped by SIGINT/SIGTERM during its training
                seconds = time.perf_counter() - started
                mode = cfg.side_by_side if len(group) > 1 or cfg.side_by_side == "off" else "single"
                names = tuple(v.name for v in group)
                train_seconds = sum(fit.timer.train_seconds.values())
                fits.append(FitRecord(label, names, mode, seconds, train_seconds, fit.trainer.current_epoch, completed))
                tested = completed and interrupt.received is None  # a signal after training: stop, no test
                for k, outcome in enumerate(variant_outcomes(fit, tested)):
                    outcomes[outcome.variant.name] = outcome
                    if writers:  # rank zero
                        publish_variant(cfg, splits, fit, k, outcome, context, writers[outcome.variant.name])
            finally:
                close_writers(writers)
            if interrupt.received is not None:  # the variants of later fits are not trained
                break
    if interrupt.received is not None and context.interruption is None:
        context.stopped(interrupt.received, fit.trainer)
    normalization = {"mean": fit.datamodule.mean.tolist(), "std": fit.datamodule.std.tolist()}
    untrained = [variant.name for variant in variants if variant.name not in outcomes]
    device, batch = str(fit.trainer.strategy.root_device), fit.datamodule.train_batch_size
    return GridRun(outcomes, fits, tables, device, normalization, untrained, batch)


def variant_outcomes(fit: GridFit, tested: bool) -> list[VariantOutcome]:
    """Every member's final weights kept; with `tested`, its best epoch's weights loaded and tested (one pass
    for all), else (an interrupted fit) no test."""
    module = fit.module
    final = [{name: t.detach().to("cpu", copy=True) for name, t in m.state_dict().items()} for m in module.members]
    test = {"loss": [math.nan] * len(fit.variants), "acc": [math.nan] * len(fit.variants)}
    if tested:
        for member, state in zip(module.members, fit.best.state, strict=True):
            if state is not None:
                member.load_state_dict(state)
        fit.trainer.test(module, datamodule=fit.datamodule, verbose=False)
        test = module.epoch_metrics("test")
    outcomes = []
    for k, variant in enumerate(fit.variants):
        has_test = fit.best.state[k] is not None and math.isfinite(test["loss"][k])
        outcomes.append(
            VariantOutcome(
                variant=variant,
                history=fit.curves.history[variant.name],
                best_epoch=fit.best.epoch[k],
                best_val_acc=fit.best.acc[k],
                test={"loss": test["loss"][k], "acc": test["acc"][k]} if has_test else None,
                diverged_epoch=fit.divergence.diverged_epoch.get(k),
                fit=fit.label,
                final_weights=final[k],
            )
        )
    return outcomes


def publish_variant(
    cfg: CourseRun,
    splits: ImageSplits,
    fit: GridFit,
    k: int,
    outcome: VariantOutcome,
    context: RunContext,
    writer: SummaryWriter,
) -> None:
    """checkpoints/<variant>.pt (the best epoch's weights, loadable with torch.load(weights_only=True)) and the
    variant's HParams session."""
    name = outcome.variant.name
    state = fit.best.state[k]
    if state is not None:
        member = fit.module.members[k]
        checkpoint = {
            "format": VARIANT_CHECKPOINT_FORMAT,
            "model": type(member).__name__,
            "model_options": {
                "num_classes": len(splits.classes),
                "in_channels": splits.image_shape[0],
                "batch_norm": outcome.variant.batch_norm,
                "activation": outcome.variant.activation,
            },
            "classes": list(splits.classes),
            "normalization": {"mean": fit.datamodule.mean.tolist(), "std": fit.datamodule.std.tolist()},
            "variant": outcome.variant.hparams(),
            "epoch": outcome.best_epoch,
            "val_acc": outcome.best_val_acc,
            "state_dict": state,
        }
        buffer = io.BytesIO()
        torch.save(checkpoint, buffer)
        (context.run_dir / CHECKPOINTS).mkdir(exist_ok=True)
        write_atomic(context.run_dir / CHECKPOINTS / f"{name}.pt", buffer.getvalue())
    final = outcome.final or {}
    metrics = {
        "best_val_acc": outcome.best_val_acc,
        "test_acc": None if outcome.test is None else outcome.test["acc"],
        "final_train_acc": final.get("train_acc"),
        "gap": final.get("gap"),
        "diverged_epoch": outcome.diverged_epoch,
    }
    write_hparams(writer, outcome.variant.hparams(), metrics, step=cfg.epochs)
