"""How long the full study will take on this machine, from a short measured warm-up of each part's model.

What is measured: one optimizer step of each part's real model at its real size (forward, backward and the
optimizer's update, in the precision and memory layout the part trains with) on synthetic random inputs of the
real shape, on the device the run will use: a few untimed warm-up steps, then the mean of a few timed ones.
Parts that train the same model at the same batch time it once. The measured seconds per step times the number
of steps each part takes (counted from its config and its data's size) is its estimate.

What is not measured: data loading, augmentation and normalisation (done on the device per batch), logging
and histograms, validation, testing, perplexity evaluation and text generation, compilation (ResNet on a GPU
compiles its network; the warm-up times it uncompiled). So the estimate is of the training steps alone; each
part's `note` says what it leaves out and where it is an upper estimate:

- pipeline: its variants counted as separate fits (those sharing an architecture train side by side in one
  fit, which on a GPU runs them vectorized, faster than one after another);
- sentiment: every review timed at the full --max-len tokens (real reviews are often shorter, and batched by
  length);
- lm: on a CPU a step's forward and backward passes are timed on one block and multiplied by the blocks a step
  takes (the update is timed once per step); LoRA steps are timed as full fine-tuning steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from src.experiments.study.timing import time_workload
from src.experiments.study.workloads import PartPlan, Workload, machine_of, plan_part


@dataclass(frozen=True)
class PartEstimate:
    experiment: str  # e.g. "resnet", "lm"
    label: str  # what it trains, e.g. "ResNet-20, 64,000 iterations of batch 128"
    steps: int  # training steps the part will take (all its fits together)
    seconds_per_step: float  # measured in the warm-up (0 for parts too small to matter)
    seconds: float  # the training steps' time: steps * seconds_per_step
    note: str = ""  # what the estimate leaves out, and where it is an upper estimate


# ---- the estimate ----


def experiment_name(experiment: Any) -> str:
    """A part's experiment: its name, or an Experiment (which has a `name`)."""
    return experiment if isinstance(experiment, str) else experiment.name


def estimate_parts(
    parts: list[tuple[str, object]], device: torch.device, warmup_steps: int = 1, timed_steps: int = 2
) -> list[PartEstimate]:
    """Each part's training time on `device`: its steps counted from its config, the seconds per step measured
    (a workload several parts share is timed once)."""
    if warmup_steps < 0 or timed_steps < 1:
        raise ValueError(f"need warmup_steps >= 0 and timed_steps >= 1, got {warmup_steps} and {timed_steps}")
    machine = machine_of(device)
    plans = [plan_part(experiment_name(experiment), cfg, machine) for experiment, cfg in parts]
    timings: dict[Workload, float] = {}
    for plan in plans:
        for workload, _ in plan.runs:
            if workload not in timings:
                timings[workload] = time_workload(workload, device, warmup_steps, timed_steps)
    return [part_estimate(plan, timings) for plan in plans]


def part_estimate(plan: PartPlan, timings: dict[Workload, float]) -> PartEstimate:
    """The plan's steps at the measured rates (a part of several workloads: their mean per step, weighted)."""
    seconds = sum(steps * timings[workload] for workload, steps in plan.runs)
    per_step = seconds / plan.steps if plan.steps else 0.0
    return PartEstimate(plan.experiment, plan.label, plan.steps, per_step, seconds, plan.note)


def format_duration(seconds: float) -> str:
    """'42 s' under a minute, else h:mm:ss ('1:02:03')."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def format_estimates(estimates: list[PartEstimate]) -> list[str]:
    """One aligned line per part (experiment, time, what it trains, seconds per step) and a total line."""
    total = format_duration(sum(e.seconds for e in estimates))
    name_width = max([len("total"), *(len(e.experiment) for e in estimates)])
    time_width = max([len(total), *(len(format_duration(e.seconds)) for e in estimates)])
    lines = []
    for e in estimates:
        rate = f" at {e.seconds_per_step:.3g} s a step" if e.seconds_per_step else ""
        lines.append(f"{e.experiment:<{name_width}}  {format_duration(e.seconds):>{time_width}}  {e.label}{rate}")
    lines.append(f"{'total':<{name_width}}  {total:>{time_width}}")
    return lines
