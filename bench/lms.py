"""LMS speed: Lightning fit vs a plain PyTorch loop vs a NumPy loop, and the 6-rate sweep vs one rate.

Every figure is a ratio against a baseline measured in the same process, interleaved, median of --reps
repetitions. Per-step costs come from the difference between a long and a short fit (setup cancels out).
Prints one JSON object. Usage: python bench/lms.py [--reps 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from src.data import EMBEDDED_LMS_DATA, RegressionData, load_regression
from src.experiments.lms import prepare_lms_fit
from src.experiments.lms_config import COURSE_W0, DEFAULT_SWEEP_LRS, LMSConfig
from src.experiments.quiet import quiet_lightning
from src.modules import LMSModule
from src.theory import wiener_solution

SHORT, LONG = 5, 25  # epochs; per step = (t(LONG) - t(SHORT)) / ((LONG - SHORT) * N)


class EmptyStepLMS(LMSModule):
    """Same module, same Trainer, but a training step that does nothing: what Lightning costs by itself."""

    def training_step(self, batch, batch_idx) -> None:
        return None


def lightning_fit_seconds(
    data: RegressionData, lrs: tuple[float, ...], epochs: int, progress_bar: bool = False, empty: bool = False
) -> float:
    """Wall time of trainer.fit for the run `train.py` would make (TensorBoard, callbacks, optional bar)."""
    cfg = LMSConfig(experiment="bench", lrs=lrs, epochs=epochs, accelerator="cpu", progress_bar=progress_bar)
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):  # the bar's output
        run_dir = Path(tmp) / "bench" / "version_0"
        run_dir.mkdir(parents=True)
        fit = prepare_lms_fit(cfg, data, list(COURSE_W0), wiener_solution(data.X, data.D), run_dir)
        module = EmptyStepLMS(lrs, list(COURSE_W0)) if empty else fit.module
        start = time.perf_counter()
        fit.trainer.fit(module, datamodule=fit.datamodule)
        return time.perf_counter() - start


def plain_torch_seconds(data: RegressionData, lr: float, epochs: int) -> float:
    """The same math a user would write without Lightning: autograd on 0.5 e^2, SGD(lr), float64,
    one sample per step from pre-split tensors, and the dataset MSE after each epoch."""
    X, D = torch.tensor(data.X), torch.tensor(data.D)
    samples = list(zip(X.unbind(0), D.unbind(0), strict=True))
    w = torch.tensor(COURSE_W0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    mse = []
    start = time.perf_counter()
    for _ in range(epochs):
        for x, d in samples:
            e = d - w @ x
            loss = 0.5 * e * e
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            mse.append(float(((D - X @ w) ** 2).mean()))
    return time.perf_counter() - start


def numpy_seconds(data: RegressionData, lr: float, epochs: int) -> float:
    X, D = data.X, data.D
    w = np.array(COURSE_W0)
    mse = []
    start = time.perf_counter()
    for _ in range(epochs):
        for x, d in zip(X, D, strict=True):
            w = w + lr * (d - w @ x) * x
        mse.append(float(np.mean((D - X @ w) ** 2)))
    return time.perf_counter() - start


def per_step_us(seconds: dict[int, float], n: int) -> float:
    return (seconds[LONG] - seconds[SHORT]) / ((LONG - SHORT) * n) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5, help="repetitions; the median is reported")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    quiet_lightning()
    warnings.filterwarnings("ignore")
    data = load_regression(EMBEDDED_LMS_DATA)
    n, lr = data.n_samples, 0.005
    variants = {
        "lightning": lambda e: lightning_fit_seconds(data, (lr,), e),
        "lightning_progress_bar": lambda e: lightning_fit_seconds(data, (lr,), e, progress_bar=True),
        "lightning_sweep": lambda e: lightning_fit_seconds(data, DEFAULT_SWEEP_LRS, e),
        "lightning_empty_step": lambda e: lightning_fit_seconds(data, (lr,), e, empty=True),
        "plain_torch": lambda e: plain_torch_seconds(data, lr, e),
        "numpy": lambda e: numpy_seconds(data, lr, e),
    }
    for measure in variants.values():  # warm-up: imports, allocator, first-call costs
        measure(SHORT)
    samples: dict[str, list[dict[int, float]]] = {name: [] for name in variants}
    for _ in range(args.reps):
        for name, measure in variants.items():  # interleaved: machine noise hits every variant alike
            samples[name].append({epochs: measure(epochs) for epochs in (SHORT, LONG)})

    def median_us(name: str) -> float:
        return statistics.median(per_step_us(s, n) for s in samples[name])

    def median_fit_s(name: str, epochs: int = 20) -> float:
        # A 20-epoch fit, interpolated from the two measured lengths.
        return statistics.median(
            s[SHORT] + (s[LONG] - s[SHORT]) * (epochs - SHORT) / (LONG - SHORT) for s in samples[name]
        )

    us = {name: median_us(name) for name in variants}
    result = {
        "benchmark": "lms",
        "machine": {"threads": torch.get_num_threads(), "torch": torch.__version__},
        "reps": args.reps,
        "samples": n,
        "us_per_step": {name: round(value, 1) for name, value in us.items()},
        "ratios": {
            "lightning_over_plain_torch": round(us["lightning"] / us["plain_torch"], 3),
            # Lightning's own per-step cost (empty training_step, same Trainer) against the whole plain step:
            "lightning_empty_step_over_plain_torch": round(us["lightning_empty_step"] / us["plain_torch"], 3),
            "lightning_progress_bar_over_plain_torch": round(us["lightning_progress_bar"] / us["plain_torch"], 3),
            "plain_torch_over_numpy": round(us["plain_torch"] / us["numpy"], 3),
            "sweep_over_single_per_step": round(us["lightning_sweep"] / us["lightning"], 3),
            "sweep_over_single_fit_20_epochs": round(median_fit_s("lightning_sweep") / median_fit_s("lightning"), 3),
        },
        "targets": {"sweep_over_single": 1.3, "lightning_over_plain_torch": 2.5},
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
