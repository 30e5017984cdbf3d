"""The Lightning fit of a group of variants that share an architecture, trained side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.tensorboard import SummaryWriter

from src.callbacks import GracefulInterrupt, LayerSummary
from src.callbacks.epoch_timer import EpochTimer
from src.callbacks.histograms import MemberHistograms
from src.callbacks.member_best import MemberBest
from src.callbacks.member_curves import MemberCurves
from src.callbacks.member_divergence import MemberDivergence
from src.callbacks.subrun_writers import writers_under
from src.config import Machine
from src.config.course import CourseRun
from src.data import ImageSplits
from src.data.stack_datamodule import StackDataModule
from src.experiments.fit import Fit
from src.experiments.grid.variant import Variant
from src.experiments.ranks import is_rank_zero
from src.experiments.trainer_factory import image_trainer
from src.modules.simple_nn_cifar import SimpleNNCifar
from src.modules.stack_classifier import StackClassifier, training_views

FIT_PREFIX = "fit-"  # the Trainer's own TensorBoard run (layer summary) of a fit: run_dir/fit-<label>


@dataclass(frozen=True)
class GridFit(Fit):
    label: str  # the architecture, or the variant's name for a fit of its own
    variants: tuple[Variant, ...]
    curves: MemberCurves
    best: MemberBest
    divergence: MemberDivergence
    timer: EpochTimer


def seeded_model(variant: Variant, seed: int, num_classes: int, in_channels: int) -> SimpleNNCifar:
    """The variant's network, initialised from `seed` alone: every variant starts from the same weights (batch
    norm and the activation draw no random numbers)."""
    torch.manual_seed(seed)
    return SimpleNNCifar(num_classes, in_channels, batch_norm=variant.batch_norm, activation=variant.activation)


def subrun_writers(run_dir: Path, variants: Sequence[Variant]) -> dict[str, SummaryWriter]:
    """One SummaryWriter per variant, its sub-run run_dir/<name>, on rank zero (the other ranks write nothing)."""
    return writers_under(run_dir, [variant.name for variant in variants]) if is_rank_zero() else {}


def group_variants(variants: Sequence[Variant], side_by_side: str) -> list[tuple[str, list[Variant]]]:
    """(label, variants) of each fit: one per architecture, in order of first appearance; with 'off', one per
    variant."""
    if side_by_side == "off":
        return [(variant.name, [variant]) for variant in variants]
    groups: dict[str, list[Variant]] = {}
    for variant in variants:
        groups.setdefault(variant.architecture, []).append(variant)
    return list(groups.items())


def build_grid_fit(
    cfg: CourseRun,
    splits: ImageSplits,
    label: str,
    variants: Sequence[Variant],
    run_dir: Path,
    machine: Machine,
    writers: Mapping[str, SummaryWriter],
    *,
    summary: bool,
    interrupt: GracefulInterrupt | None = None,
) -> GridFit:
    """StackDataModule, StackClassifier of the variants' networks, the member observers (curves, best epoch,
    divergence, histograms; each variant through writers[variant name], its sub-run, empty off rank zero), with
    `summary` the layer table of the architecture, and a Trainer logging to run_dir/fit-<label>. `interrupt`:
    the GracefulInterrupt to stop it with (the grid's, shared by its fits; default: one of its own)."""
    recipes = [variant.recipe() for variant in variants]
    datamodule = StackDataModule(
        splits,
        training_views(recipes),
        batch_size=cfg.batch_size,
        num_workers=cfg.num_workers,
        seed=cfg.seed,
        on_device=True,
        eval_batch_size=cfg.eval_batch_size,
        normalization=cfg.normalization_values(),
    )
    in_channels, num_classes = splits.image_shape[0], len(splits.classes)
    members = [seeded_model(variant, cfg.seed, num_classes, in_channels) for variant in variants]
    module = StackClassifier(
        members,
        recipes,
        input_shape=splits.image_shape,
        vectorize=cfg.side_by_side == "vectorized",
        channels_last=cfg.channels_last,
    )
    names = [variant.name for variant in variants]
    curves, best, divergence = MemberCurves(names, writers), MemberBest(len(variants)), MemberDivergence()
    histograms, timer = MemberHistograms(names, writers, cfg.weight_every, cfg.grad_every), EpochTimer()
    # Order matters: the epoch a member diverges in is recorded (curves, best) before it is frozen.
    callbacks = [curves, best, divergence, timer, histograms, *([LayerSummary()] if summary else [])]
    # Ctrl-C / SIGTERM: stop after the step and keep what is done (no checkpoint: these runs are not resumable)
    callbacks.append(interrupt or GracefulInterrupt(None))
    shown = label if len(variants) > 1 else variants[0].name
    trainer = image_trainer(
        cfg,
        machine,
        run_dir / f"{FIT_PREFIX}{label}",
        max_epochs=cfg.epochs,
        callbacks=callbacks,
        progress_label=f"{shown} ({len(variants)} side by side)" if len(variants) > 1 else shown,
        enable_checkpointing=False,
        parameters_may_stop=True,
    )
    return GridFit(trainer, module, datamodule, label, tuple(variants), curves, best, divergence, timer)
