"""StepTimer: seconds and predicted tokens of every optimizer step, the fit's wall time, and its peak memory."""

from __future__ import annotations

import resource
import statistics
import time

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback

from src.callbacks.epoch_timer import synchronize
from src.data.lm.packing import IGNORE


def resident_bytes() -> int:
    """The process's resident memory now (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


class StepTimer(Callback):
    """`step_seconds[i]`: optimizer step i's time (its batches' forward and backward and the update; no
    validation), with the device synchronised; `step_tokens[i]`: the tokens it predicted. `peak_bytes`: on a GPU,
    torch's peak allocation during the fit; on a CPU, the largest resident memory of the process seen at an
    optimizer step (when weights, gradients and optimizer state are all alive: a floor of the true peak, which
    comes during a backward pass). (A difference of two resident
    sizes says little: the C allocator keeps freed memory for reuse.) Not part of a checkpoint: a resumed fit
    reports the steps it ran itself."""

    def __init__(self) -> None:
        self.step_seconds: list[float] = []
        self.step_tokens: list[int] = []
        self.fit_seconds = 0.0
        self.peak_bytes = 0
        self._batch_started: float | None = None
        self._step_seconds, self._step_tokens = 0.0, 0
        self._fit_started: float | None = None

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if pl_module.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(pl_module.device)
        self._fit_started = time.perf_counter()

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch, batch_idx: int) -> None:
        synchronize(pl_module.device)
        self._batch_started = time.perf_counter()

    def on_before_optimizer_step(self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer) -> None:
        if pl_module.device.type != "cuda":
            self.peak_bytes = max(self.peak_bytes, resident_bytes())

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs, batch, batch_idx: int):
        if self._batch_started is None:
            return
        synchronize(pl_module.device)
        self._step_seconds += time.perf_counter() - self._batch_started
        self._step_tokens += int((batch["labels"][:, 1:] != IGNORE).sum())
        self._batch_started = None
        if (batch_idx + 1) % trainer.accumulate_grad_batches == 0 or trainer.fit_loop.epoch_loop.done:
            self.step_seconds.append(self._step_seconds)
            self.step_tokens.append(self._step_tokens)
            self._step_seconds, self._step_tokens = 0.0, 0

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self._fit_started is not None:
            self.fit_seconds += time.perf_counter() - self._fit_started
        if pl_module.device.type == "cuda":
            self.peak_bytes = torch.cuda.max_memory_allocated(pl_module.device)

    def summary(self) -> dict:
        """Median step time over the steps after the first (which pays for warm-up), tokens per second."""
        steady = self.step_seconds[1:] or self.step_seconds
        tokens = self.step_tokens[1:] or self.step_tokens
        if not steady:
            return {"steps_timed": 0}
        median = statistics.median(steady)
        return {
            "steps_timed": len(self.step_seconds),
            "seconds_per_step": median,
            "tokens_per_s": sum(tokens) / sum(steady),
            "fit_seconds": self.fit_seconds,
            "peak_memory_bytes": self.peak_bytes,
        }
