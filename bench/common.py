"""Shared by the benchmarks: interleaved repetitions, medians, machine facts, JSON output."""

from __future__ import annotations

import itertools
import json
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
from pytorch_lightning.callbacks import Callback

from src.experiments.quiet import quiet_lightning


def setup_quiet() -> None:
    quiet_lightning()
    warnings.filterwarnings("ignore")


def interleaved(measures: dict[str, Callable[[], float]], reps: int, warmup: int = 1) -> dict[str, list[float]]:
    """Run every measure `reps` times, one of each in turn, so machine noise hits all of them alike."""
    for _ in range(warmup):
        for measure in measures.values():
            measure()
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(reps):
        for name, measure in measures.items():
            samples[name].append(measure())
    return samples


def sync_device() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


class EpochTimer(Callback):
    """Wall-clock duration of every training epoch (its training steps, validation and epoch-end hooks)."""

    def __init__(self) -> None:
        self.starts: list[float] = []

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        sync_device()
        self.starts.append(time.perf_counter())

    def on_train_end(self, trainer, pl_module) -> None:
        sync_device()
        self.starts.append(time.perf_counter())

    @property
    def durations(self) -> list[float]:
        return [b - a for a, b in itertools.pairwise(self.starts)]


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
    try:
        import pytorch_lightning

        info["pytorch_lightning"] = pytorch_lightning.__version__
    except ImportError:
        pass
    return info


def emit(result: dict, out: Path | None) -> None:
    text = json.dumps(result, indent=2)
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
