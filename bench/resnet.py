"""ResNet-20 speed: the Lightning fit of `train.py resnet` against a plain PyTorch loop with the same model,
data, augmentation, optimizer and schedule; the precision / memory-layout / compile matrix; achieved FLOP/s
against the device's peak; and the whole 64,000-iteration recipe's time extrapolated from the measured rate.

Synthetic images of CIFAR-10's shape (speed does not depend on what the pixels show). Each fit's first epoch is
warm-up and not counted; variants run back to back in every repetition and ratios are medians of per-repetition
ratios. Prints one JSON object.
Usage: python bench/resnet.py [--reps 3] [--train-images 1024] [--matrix-images 512] [--compile] [--out FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import itertools
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torchmetrics import MeanMetric
from torchmetrics.classification import MulticlassAccuracy

if __package__ in (None, ""):  # `python bench/x.py`: make the repository root importable as in `-m bench.x`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.classify import device_matrix, device_peak, steady_rate, synthetic_splits
from bench.common import EpochTimer, emit, interleaved, machine, median, setup_quiet, sync_device
from src.analysis import layer_summary
from src.data import ImageDataModule, ImageSplits
from src.experiments.machine import detect_machine
from src.experiments.resnet.config import PAPER_ITERATIONS, ResNetConfig, training_length
from src.experiments.resnet.fit import build_resnet_fit
from src.modules.resnet import ResNetCifar
from src.modules.step_schedule import StepSchedule

EPOCHS = 3  # per fit; the first is warm-up and not counted
PAPER_TRAIN_IMAGES = 45_000


def bench_config(**changes: object) -> ResNetConfig:
    """The options `train.py resnet` resolves on this machine (so `--accelerator auto`'s choices), with `changes`."""
    options = {"epochs": EPOCHS, "progress_bar": False, "accelerator": "auto", **changes}
    return ResNetConfig(**options).resolved(detect_machine())


def lightning_epochs(splits: ImageSplits, cfg: ResNetConfig) -> list[float]:
    """Epoch durations of the fit `train.py resnet` runs, histograms and layer summary included."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        run_dir = Path(tmp) / "bench" / "version_0"
        run_dir.mkdir(parents=True)
        torch.manual_seed(0)
        fit = build_resnet_fit(cfg, splits, run_dir, detect_machine())
        timer = EpochTimer()
        fit.trainer.callbacks.append(timer)
        fit.run()
        return timer.durations


def plain_epochs(splits: ImageSplits, cfg: ResNetConfig) -> list[float]:
    """The same training as a plain PyTorch loop: ResNetCifar, the images held on the device, normalised and
    augmented there per batch, SGD with the step schedule, exact epoch metrics, validation every epoch."""
    device = torch.device("cuda" if torch.cuda.is_available() and cfg.accelerator != "cpu" else "cpu")
    torch.manual_seed(0)
    resident = dataclasses.replace(
        splits, **{name: tuple(t.to(device) for t in getattr(splits, name)) for name in ("train", "val", "test")}
    )
    data = ImageDataModule(resident, cfg.batch_size, 0, cfg.augment, cfg.seed, on_device=True)
    data.eval_batch_size = cfg.eval_batch_size
    memory_format = torch.channels_last if cfg.channels_last else torch.contiguous_format
    model = ResNetCifar(cfg.depth, cfg.shortcut).to(device).to(memory_format=memory_format)
    forward = torch.compile(model.forward) if cfg.compile == "on" else model
    schedule = training_length(cfg, len(splits.train[1]))
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, StepSchedule(tuple(schedule["milestones"])))
    loss_mean, accuracy = MeanMetric().to(device), MulticlassAccuracy(10, average="micro").to(device)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.precision == "bf16-mixed")
    train, val = data.train_dataloader(), data.val_dataloader()
    starts = []
    for epoch in range(schedule["epochs"]):
        sync_device()
        starts.append(time.perf_counter())
        model.train()
        for index, batch in enumerate(train):
            images, labels = data.prepare_batch(batch, (epoch, index, 0) if cfg.augment else None)
            with autocast:
                logits = forward(images.contiguous(memory_format=memory_format))
                loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            loss_mean.update(loss.detach(), weight=labels.numel())
            accuracy.update(logits.detach(), labels)
        loss_mean.compute(), accuracy.compute(), loss_mean.reset(), accuracy.reset()
        model.eval()
        with torch.no_grad(), autocast:
            for batch in val:
                images, labels = data.prepare_batch(batch)
                accuracy.update(forward(images.contiguous(memory_format=memory_format)), labels)
        accuracy.compute(), accuracy.reset()
    sync_device()
    starts.append(time.perf_counter())
    return [b - a for a, b in itertools.pairwise(starts)]


def run(reps: int = 3, train_images: int = 1024, with_compile: bool = False, matrix_images: int = 512) -> dict:
    """Lightning against the plain loop on `train_images`; the matrix on `matrix_images` (bf16 without bf16
    hardware, and compilation, take long on a CPU), compiled variants once per repetition round at most."""
    started = time.perf_counter()
    splits = synthetic_splits(train_images)
    n = train_images
    baseline = bench_config()
    macs = layer_summary(ResNetCifar(20), torch.zeros(1, 3, 32, 32)).total_macs
    training_flops_per_image = 6 * macs  # forward 2 x MACs, backward twice the forward

    variants = {
        "lightning": lambda: lightning_epochs(splits, baseline),
        "plain_torch": lambda: plain_epochs(splits, baseline),
    }
    samples = interleaved(variants, reps, warmup=0)
    per_rep = [{name: steady_rate(samples[name][i], n) for name in variants} for i in range(reps)]

    matrix_configs = {
        "fp32": {"precision": "32-true", "channels_last": False, "compile": "off"},
        "fp32_channels_last": {"precision": "32-true", "channels_last": True, "compile": "off"},
        "bf16-mixed_channels_last": {"precision": "bf16-mixed", "channels_last": True, "compile": "off"},
    }
    if with_compile:
        matrix_configs["fp32_channels_last_compile"] = {"precision": "32-true", "channels_last": True, "compile": "on"}
        matrix_configs["bf16-mixed_channels_last_compile"] = {
            "precision": "bf16-mixed",
            "channels_last": True,
            "compile": "on",
        }
    cfgs = {name: bench_config(**changes) for name, changes in matrix_configs.items()}
    small, m = synthetic_splits(matrix_images), matrix_images
    runs = interleaved({name: (lambda c=cfg: lightning_epochs(small, c)) for name, cfg in cfgs.items()}, reps, warmup=0)
    precisions = {name: changes["precision"] for name, changes in matrix_configs.items()}
    matrix = device_matrix(runs, precisions, m, training_flops_per_image)
    for name, durations in runs.items():
        matrix[name]["first_epoch_s"] = round(median([d[0] for d in durations]), 2)  # warm-up, compilation included
    fastest = max(matrix, key=lambda k: matrix[k]["images_per_s"])
    default = next(
        name
        for name, changes in matrix_configs.items()
        if changes["precision"] == baseline.precision
        and changes["channels_last"] == baseline.channels_last
        and changes["compile"] == baseline.compile
    )
    rate = median([rep["lightning"] for rep in per_rep])
    recipe_images = PAPER_ITERATIONS * baseline.batch_size  # training images the 64k-iteration recipe processes
    return {
        "benchmark": "resnet",
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "model": "ResNet-20 (option A)",
        "train_images": n,
        "matrix_train_images": m,
        "epochs_per_fit": EPOCHS,
        "batch_size": baseline.batch_size,
        "auto_configuration": {
            "precision": baseline.precision,
            "channels_last": baseline.channels_last,
            "compile": baseline.compile,
            "matrix_row": default,
        },
        "reps": reps,
        "images_per_s": {name: round(median([rep[name] for rep in per_rep]), 1) for name in variants},
        "ratios": {
            "lightning_over_plain_torch": round(median([rep["lightning"] / rep["plain_torch"] for rep in per_rep]), 3)
        },
        "targets": {"lightning_over_plain_torch": ">= 0.95", "h100_recipe_minutes": "< 3"},
        "device_matrix": matrix,
        "fastest_configuration": fastest,
        "macs_per_image": macs,
        "training_tflop_per_45k_epoch": round(training_flops_per_image * PAPER_TRAIN_IMAGES / 1e12, 2),
        "recipe_extrapolated": {
            "iterations": PAPER_ITERATIONS,
            "auto_configuration_minutes": round(recipe_images / rate / 60, 1),
            "fastest_configuration_minutes": round(recipe_images / matrix[fastest]["images_per_s"] / 60, 1),
            "seconds_per_45k_epoch": round(PAPER_TRAIN_IMAGES / rate, 1),
            "note": "training images / measured training rate (validation each epoch included in the rate)",
        },
        "peak_flops_source": device_peak("32-true")[1],
        "elapsed_s": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3, help="repetitions; the median is reported")
    parser.add_argument("--train-images", type=int, default=1024, help="synthetic training images per epoch")
    parser.add_argument("--matrix-images", type=int, default=512, help="synthetic training images per matrix epoch")
    parser.add_argument("--compile", action="store_true", help="also measure torch.compile (slow to compile)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    setup_quiet()
    emit({"machine": machine(), **run(args.reps, args.train_images, args.compile, args.matrix_images)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
