"""The CIFAR-10 labs' speed: one run of the course's network through Lightning against a plain PyTorch loop,
the data pipeline against the model step, and a sweep of learning rates trained side by side in one fit
(looped and vectorized) against the same variants trained one fit after another.

Epochs are timed inside each fit (EpochTimer), the first skipped as warm-up; measurements are interleaved per
repetition and ratios are medians of per-repetition ratios (shared, noisy machines). Images are synthetic, of
CIFAR-10's shape: speed does not depend on what they show. Prints one JSON object.
Usage: python bench/pipeline.py [--reps 3] [--train-images 4096] [--out FILE]
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

if __package__ in (None, ""):  # `python bench/x.py`: make the repository root importable as in `-m bench.x`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.classify import device_peak, pipeline_and_model_rates, steady_rate, synthetic_splits
from bench.common import EpochTimer, emit, interleaved, machine, median, setup_quiet, sync_device
from src.analysis import layer_summary
from src.config.course import CourseRun
from src.data import ImageDataModule, ImageSplits
from src.experiments.grid import Variant
from src.experiments.grid.fit import build_grid_fit
from src.experiments.machine import detect_machine
from src.modules.simple_nn_cifar import SimpleNNCifar

EPOCHS = 3  # per fit; the first is warm-up and not counted
SWEEP_RATES = (1.0, 0.1, 0.05, 0.01, 0.005, 0.001)  # the pipeline's learning-rate sweep (augmentation + BN)


def bench_config(**changes: object) -> CourseRun:
    """The options `train.py pipeline` resolves on this machine, with `changes`."""
    return CourseRun(**{"epochs": EPOCHS, "progress_bar": False, **changes}).resolved(detect_machine())


def grid_epochs(splits: ImageSplits, variants: list[Variant], cfg: CourseRun) -> tuple[list[float], list[dict]]:
    """Epoch durations of one fit of `variants` as `train.py pipeline` builds it (no TensorBoard writers: the
    observers compute but write nothing), and the variants' histories."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        fit = build_grid_fit(cfg, splits, "bench", variants, Path(tmp), detect_machine(), {}, summary=False)
        timer = EpochTimer()
        fit.trainer.callbacks.append(timer)
        fit.run()
        return timer.durations, [fit.curves.history[v.name] for v in variants]


def plain_epochs(splits: ImageSplits, cfg: CourseRun, variant: Variant) -> list[float]:
    """One variant without Lightning: the same network, batches (uint8 on the device, normalised there), SGD
    and per-epoch validation, as a plain loop."""
    device = torch.device("cuda" if cfg.uses_gpu(detect_machine()) else "cpu")
    datamodule = ImageDataModule(
        splits, cfg.batch_size, 0, augment=variant.augment, seed=cfg.seed, on_device=False, eval_batch_size=100
    )
    torch.manual_seed(cfg.seed)
    memory_format = torch.channels_last if cfg.channels_last else torch.contiguous_format
    model = SimpleNNCifar(batch_norm=variant.batch_norm).to(device).to(memory_format=memory_format)
    optimizer = torch.optim.SGD(model.parameters(), lr=variant.lr, momentum=0.9, weight_decay=variant.weight_decay)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.precision == "bf16-mixed")
    starts = []
    for epoch in range(cfg.epochs):
        sync_device()
        starts.append(time.perf_counter())
        model.train()
        for index, batch in enumerate(datamodule.train_dataloader()):
            batch = tuple(t.to(device) for t in batch)
            images, labels = datamodule.prepare_batch(batch, (epoch, index, 0) if variant.augment else None)
            with autocast:
                loss = F.cross_entropy(model(images.contiguous(memory_format=memory_format)), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad(), autocast:
            for batch in datamodule.val_dataloader():
                images, labels = datamodule.prepare_batch(tuple(t.to(device) for t in batch))
                model(images.contiguous(memory_format=memory_format))
    sync_device()
    starts.append(time.perf_counter())
    return [b - a for a, b in itertools.pairwise(starts)]


def largest_differences(a: list[list[dict]], b: list[list[dict]]) -> dict[str, float]:
    """Per metric (train/loss, val/acc, ...), the largest absolute difference between two runs of the same
    variants, over every variant and epoch where both are finite."""
    largest: dict[str, float] = {}
    for rows_a, rows_b in zip(a, b, strict=True):
        for x, y in zip(rows_a, rows_b, strict=True):
            for key in x:
                if key != "epoch" and x[key] is not None and y[key] is not None:
                    largest[key] = max(largest.get(key, 0.0), abs(x[key] - y[key]))
    return largest


def run(reps: int = 3, train_images: int = 4096) -> dict:
    splits = synthetic_splits(train_images)
    n = train_images
    base = bench_config()
    sweep = [Variant(augment=True, batch_norm=True, lr=lr) for lr in SWEEP_RATES]
    one = Variant(augment=True, batch_norm=True, lr=0.01)
    modes = ["loop", "vectorized"]
    measures = {
        "lightning_one_run": lambda: grid_epochs(splits, [one], base)[0],
        "plain_torch_one_run": lambda: plain_epochs(splits, base, one),
        **{
            f"sweep_{mode}": (lambda m=mode: grid_epochs(splits, sweep, dataclasses.replace(base, side_by_side=m))[0])
            for mode in modes
        },
        "sweep_one_after_another": lambda: [
            sum(epoch) for epoch in zip(*(grid_epochs(splits, [v], base)[0] for v in sweep), strict=True)
        ],
    }
    samples = interleaved(measures, reps)
    per_rep = [{name: steady_rate(samples[name][i], n) for name in measures} for i in range(reps)]

    def ratio(top: str, bottom: str) -> float:
        return round(median([rep[bottom] / rep[top] for rep in per_rep]), 3)  # time(top) / time(bottom)

    def course_step() -> tuple[float, float]:  # the batch-norm network with the course's SGD
        return pipeline_and_model_rates(
            splits,
            base,
            model=SimpleNNCifar(batch_norm=True),
            optimizer=lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        )

    pipeline, model_rate = zip(*(course_step() for _ in range(reps)), strict=True)
    separate = [grid_epochs(splits, [v], base)[1][0] for v in sweep]
    side_by_side = {mode: grid_epochs(splits, sweep, dataclasses.replace(base, side_by_side=mode))[1] for mode in modes}
    macs = layer_summary(SimpleNNCifar(batch_norm=True), torch.zeros(1, 3, 32, 32)).total_macs
    one_run = median([rep["lightning_one_run"] for rep in per_rep])
    peak, source = device_peak(base.precision)
    return {
        "benchmark": "pipeline",
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "train_images": n,
        "epochs_per_fit": EPOCHS,
        "batch_size": base.batch_size,
        "precision": base.precision,
        "reps": reps,
        "images_per_s": {name: round(median([rep[name] for rep in per_rep]), 1) for name in measures},
        "data_pipeline_images_per_s": round(median(list(pipeline)), 1),
        "model_step_images_per_s": round(median(list(model_rate)), 1),
        "ratios": {
            # images/s of Lightning's fit over the plain loop's; the other ratios are times (below 1: faster)
            "lightning_over_plain_torch_speed": ratio("plain_torch_one_run", "lightning_one_run"),
            "pipeline_over_model": round(median(list(pipeline)) / median(list(model_rate)), 2),
            **{f"sweep_{mode}_over_one_run": ratio(f"sweep_{mode}", "lightning_one_run") for mode in modes},
            **{
                f"sweep_{mode}_over_one_after_another": ratio(f"sweep_{mode}", "sweep_one_after_another")
                for mode in modes
            },
        },
        "targets": {
            "sweep_over_one_run": "<= 2 on a GPU (6 variants)",
            "sweep_over_one_after_another": "<= 1 on a CPU",
        },
        # per metric, the largest |side by side - separate fits| over the sweep's variants and epochs (an
        # accuracy differs by whole images: a rounding-level change can move an image across a class boundary)
        "side_by_side_minus_separate": {mode: largest_differences(side_by_side[mode], separate) for mode in modes},
        "achieved_gflops_one_run": round(one_run * 6 * macs / 1e9, 2),
        "fraction_of_peak_one_run": round(one_run * 6 * macs / peak, 4) if peak == peak else None,
        "peak_flops_source": source,
        "macs_per_image": macs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3, help="repetitions; the median is reported")
    parser.add_argument("--train-images", type=int, default=4096, help="synthetic training images per epoch")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    setup_quiet()
    emit({"machine": machine(), **run(args.reps, args.train_images)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
