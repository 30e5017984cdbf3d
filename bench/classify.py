"""Classification speed: Lightning vs a plain loop, data pipeline vs model step, callback overhead, and the
precision / memory-layout / compile matrix on the current device (CPU here, CUDA when present).

Rates are timed per epoch inside each fit, skipping the first (warm-up); variants run back to back in every
repetition and ratios are the median of the per-repetition ratios, so a machine that speeds up or slows
down between repetitions does not bias them. Prints one JSON object.
Usage: python bench/classify.py [--reps 3] [--compile] [--out FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torchmetrics import MeanMetric
from torchmetrics.classification import MulticlassAccuracy

if __package__ in (None, ""):  # `python bench/x.py`: make the repository root importable as in `-m bench.x`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import EpochTimer, emit, interleaved, machine, median, setup_quiet, sync_device
from src.analysis import layer_summary
from src.data import ImageDataModule, ImageSplits
from src.experiments.classify.config import ClassifyConfig
from src.experiments.classify.fit import build_classification_fit
from src.experiments.machine import detect_machine
from src.modules import SimpleNN

EPOCHS = 4  # per fit; the first is warm-up and not counted
# fp32 FLOP per cycle and core: 2 FMA units x lanes x 2 (an assumption, see cpu_peak_flops)
PEAK_FP32_FLOPS_PER_CYCLE = {"avx512f": 2 * 16 * 2, "avx2": 2 * 8 * 2}


def synthetic_splits(train: int, seed: int = 0) -> ImageSplits:
    """CIFAR-sized random images: speed does not depend on what the pixels show."""
    rng = np.random.default_rng(seed)

    def part(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        images = torch.from_numpy(rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8))
        return images, torch.from_numpy(rng.integers(0, 10, n))

    return ImageSplits("synthetic", "random", tuple("0123456789"), part(train), part(256), part(256))


def bench_config(**changes: object) -> ClassifyConfig:
    """The options `train.py classify` resolves on this machine, with `changes`."""
    options = {"batch_size": 64, "progress_bar": False, "accelerator": "auto", **changes}
    return ClassifyConfig(**options).resolved(detect_machine())


def lightning_epochs(splits: ImageSplits, cfg: ClassifyConfig, monitoring: bool = True) -> list[float]:
    """Epoch durations of the fit `train.py classify` runs (with monitoring: LayerSummary + Histograms)."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        run_dir = Path(tmp) / "bench" / "version_0"
        run_dir.mkdir(parents=True)
        torch.manual_seed(0)
        fit = build_classification_fit(cfg, splits, run_dir, detect_machine(), monitoring=monitoring)
        timer = EpochTimer()
        fit.trainer.callbacks.append(timer)
        fit.run()
        return timer.durations


def plain_epochs(splits: ImageSplits, cfg: ClassifyConfig) -> list[float]:
    """The same training without Lightning: same model, data pipeline, optimizer, schedule, metrics and
    per-epoch validation, written as a plain PyTorch loop. Returns the epoch durations."""
    device = torch.device("cuda" if torch.cuda.is_available() and cfg.accelerator != "cpu" else "cpu")
    torch.manual_seed(0)
    datamodule = ImageDataModule(splits, cfg.batch_size, cfg.num_workers, augment=False, seed=cfg.seed, on_device=False)
    model = SimpleNN(10, final_relu=False).to(device)
    memory_format = torch.channels_last if cfg.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs)
    loss_mean, accuracy = MeanMetric().to(device), MulticlassAccuracy(10, average="micro").to(device)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.precision == "bf16-mixed")
    train, val = datamodule.train_dataloader(), datamodule.val_dataloader()

    def batches(loader):
        for batch in loader:
            images, labels = datamodule.on_after_batch_transfer(tuple(t.to(device) for t in batch), 0)
            yield images.contiguous(memory_format=memory_format), labels

    starts = []
    for _ in range(cfg.epochs):
        sync_device()
        starts.append(time.perf_counter())
        model.train()
        for images, labels in batches(train):
            with autocast:
                logits = model(images)
                loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_mean.update(loss.detach(), weight=labels.numel())
            accuracy.update(logits.detach(), labels)
        scheduler.step()
        loss_mean.compute(), accuracy.compute(), loss_mean.reset(), accuracy.reset()
        model.eval()
        with torch.no_grad(), autocast:
            for images, labels in batches(val):
                accuracy.update(model(images), labels)
        accuracy.compute(), accuracy.reset()
    sync_device()
    starts.append(time.perf_counter())
    return [b - a for a, b in itertools.pairwise(starts)]


def steady_rate(durations: list[float], images_per_epoch: int) -> float:
    """images/s over every epoch but the first (warm-up: first calls, allocator, oneDNN primitive caches)."""
    return images_per_epoch * (len(durations) - 1) / sum(durations[1:])


def pipeline_and_model_rates(
    splits: ImageSplits,
    cfg: ClassifyConfig,
    steps: int = 30,
    model: torch.nn.Module | None = None,
    optimizer: Callable[[Iterable[torch.nn.Parameter]], torch.optim.Optimizer] | None = None,
) -> tuple[float, float]:
    """images/s of the data pipeline alone (loader + on-device normalisation and augmentation) and of the
    model step alone (forward, backward, optimizer on a ready batch). Default model: SimpleNN with Adam."""
    device = torch.device("cuda" if torch.cuda.is_available() and cfg.accelerator != "cpu" else "cpu")
    datamodule = ImageDataModule(splits, cfg.batch_size, cfg.num_workers, augment=True, seed=0, on_device=False)
    count, start = 0, time.perf_counter()
    for index, batch in enumerate(datamodule.train_dataloader()):
        images, _ = datamodule.prepare_batch(tuple(t.to(device) for t in batch), augment_at=(0, index, 0))
        count += images.shape[0]
    sync_device()
    pipeline = count / (time.perf_counter() - start)

    model = (model or SimpleNN(10, final_relu=False)).to(device)
    memory_format = torch.channels_last if cfg.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    optimizer = (optimizer or (lambda params: torch.optim.Adam(params, lr=1e-3)))(model.parameters())
    images = torch.randn(cfg.batch_size, 3, 32, 32, device=device).contiguous(memory_format=memory_format)
    labels = torch.randint(0, 10, (cfg.batch_size,), device=device)
    for step in range(steps + 3):
        if step == 3:  # after warm-up
            sync_device()
            start = time.perf_counter()
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    sync_device()
    return pipeline, steps * cfg.batch_size / (time.perf_counter() - start)


def cpu_peak_flops() -> float:
    """fp32 peak estimate of this CPU: cores x clock x FLOP/cycle, 64 with AVX-512, else 32 (AVX2); two FMA
    units per core is an assumption (one CPU of this project's machines had AVX-512, another only AVX2)."""
    import os

    mhz, flags = 0.0, set()
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("cpu MHz"):
                mhz = max(mhz, float(line.split(":")[1]))
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    per_cycle = PEAK_FP32_FLOPS_PER_CYCLE["avx512f" if "avx512f" in flags else "avx2"]
    return (os.cpu_count() or 1) * mhz * 1e6 * per_cycle


GPU_PEAK = {  # dense TFLOP/s: (fp32, bf16) from the vendors' data sheets
    "H100": (67e12, 989e12),
    "H200": (67e12, 989e12),
    "A100": (19.5e12, 312e12),
}


def device_peak(precision: str) -> tuple[float, str]:
    if torch.cuda.is_available():
        name = torch.cuda.get_device_name(0)
        for key, (fp32, bf16) in GPU_PEAK.items():
            if key in name:
                return (bf16 if precision.startswith("bf16") else fp32), f"{name} data sheet"
        return float("nan"), f"{name}: peak unknown"
    return cpu_peak_flops(), "CPU fp32 estimate: cores x clock x 2 FMA units x SIMD lanes (AVX-512 or AVX2) x 2"


def device_matrix(
    runs: dict[str, list[list[float]]], precisions: dict[str, str], images: int, flops_per_image: float
) -> dict[str, dict]:
    """Per configuration (epoch durations of each repetition): images/s, the speed-up over the "fp32" row
    (median of per-repetition ratios), achieved FLOP/s and its fraction of the device's peak for its precision."""
    matrix = {}
    for name, durations in runs.items():
        images_per_s = median([steady_rate(d, images) for d in durations])
        peak, _ = device_peak(precisions[name])
        achieved = images_per_s * flops_per_image
        ratios = [steady_rate(a, images) / steady_rate(b, images) for a, b in zip(durations, runs["fp32"], strict=True)]
        matrix[name] = {
            "images_per_s": round(images_per_s, 1),
            "speedup_over_fp32": round(median(ratios), 3),
            "achieved_gflops": round(achieved / 1e9, 2),
            "fraction_of_peak": round(achieved / peak, 4) if peak == peak else None,
        }
    return matrix


def run(reps: int = 3, train_images: int = 4096, with_compile: bool = False) -> dict:
    splits = synthetic_splits(train_images)
    n = train_images
    baseline = bench_config(epochs=EPOCHS)
    macs = layer_summary(SimpleNN(10, final_relu=False), torch.zeros(1, 3, 32, 32)).total_macs
    training_flops_per_image = 6 * macs  # forward 2 x MACs, backward twice the forward

    variants = {
        "lightning": lambda: lightning_epochs(splits, baseline),
        "lightning_without_monitoring": lambda: lightning_epochs(splits, baseline, monitoring=False),
        "plain_torch": lambda: plain_epochs(splits, baseline),
    }
    samples = interleaved(variants, reps)  # one of each per repetition, back to back
    per_rep = [{name: steady_rate(samples[name][i], n) for name in variants} for i in range(reps)]

    def ratio(top: str, bottom: str) -> float:
        # Within a repetition both ran minutes apart at most; the median of those ratios resists machine drift.
        return round(median([rep[top] / rep[bottom] for rep in per_rep]), 3)

    pipeline, model_rate = zip(*(pipeline_and_model_rates(splits, baseline) for _ in range(reps)), strict=True)

    matrix_configs = {
        "fp32": {"precision": "32-true", "channels_last": False},
        "fp32_channels_last": {"precision": "32-true", "channels_last": True},
        "bf16-mixed": {"precision": "bf16-mixed", "channels_last": False},
        "bf16-mixed_channels_last": {"precision": "bf16-mixed", "channels_last": True},
    }
    if with_compile:
        matrix_configs["fp32_channels_last_compile"] = {"precision": "32-true", "channels_last": True, "compile": True}
    matrix_cfgs = {name: bench_config(epochs=EPOCHS, **changes) for name, changes in matrix_configs.items()}
    matrix_runs = interleaved(
        {name: (lambda c=cfg: lightning_epochs(splits, c, monitoring=False)) for name, cfg in matrix_cfgs.items()},
        reps,
        warmup=0,
    )
    precisions = {name: changes["precision"] for name, changes in matrix_configs.items()}
    matrix = device_matrix(matrix_runs, precisions, n, training_flops_per_image)
    fastest = max(matrix, key=lambda k: matrix[k]["images_per_s"])
    return {
        "benchmark": "classify",
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "train_images": n,
        "epochs_per_fit": EPOCHS,
        "batch_size": baseline.batch_size,
        "precision": baseline.precision,
        "channels_last": baseline.channels_last,
        "reps": reps,
        "images_per_s": {name: round(median([rep[name] for rep in per_rep]), 1) for name in variants},
        "data_pipeline_images_per_s": round(median(list(pipeline)), 1),
        "model_step_images_per_s": round(median(list(model_rate)), 1),
        "ratios": {
            "lightning_over_plain_torch": ratio("lightning", "plain_torch"),
            "lightning_without_monitoring_over_plain_torch": ratio("lightning_without_monitoring", "plain_torch"),
            "pipeline_over_model": round(median(list(pipeline)) / median(list(model_rate)), 2),
            # epoch time with / without = rate without / rate with
            "epoch_time_with_over_without_monitoring": ratio("lightning_without_monitoring", "lightning"),
        },
        "targets": {"lightning_over_plain_torch": ">= 0.9", "pipeline_over_model": ">= 3", "monitoring": "<= 1.05"},
        "device_matrix": matrix,
        "fastest_configuration": fastest,
        "macs_per_image": macs,
        "peak_flops_source": device_peak("32-true")[1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3, help="repetitions; the median is reported")
    parser.add_argument("--train-images", type=int, default=4096, help="synthetic training images per epoch")
    parser.add_argument("--compile", action="store_true", help="also measure torch.compile (slow to compile)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    setup_quiet()
    emit({"machine": machine(), **run(args.reps, args.train_images, args.compile)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
