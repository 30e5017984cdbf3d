"""LMS speed: Lightning fit vs a plain PyTorch loop vs a NumPy loop, the 6-rate sweep vs one rate, and how
the time per epoch grows with the number of samples.

Every figure is a ratio against a baseline measured in the same process, interleaved, median of --reps
repetitions. Per-step costs come from the difference between a long and a short fit (setup cancels out);
the time per epoch for growing N is timed inside one fit.
Prints one JSON object. Usage: python bench/lms.py [--reps 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

if __package__ in (None, ""):  # `python bench/x.py`: make the repository root importable as in `-m bench.x`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import EpochTimer, emit, interleaved, machine, median, setup_quiet
from src.callbacks import checkpoint_callbacks
from src.data import EMBEDDED_LMS_DATA, RegressionData, load_regression
from src.experiments.lms.config import COURSE_W0, DEFAULT_SWEEP_LRS, LMSSweepConfig
from src.experiments.lms.fit import LMSFit, build_lms_fit
from src.modules import LMSModule
from src.theory import wiener_solution

SHORT, LONG = 5, 25  # epochs; per step = (t(LONG) - t(SHORT)) / ((LONG - SHORT) * N)
SCALING_SIZES = (100, 1_000, 10_000)


class EmptyStepLMS(LMSModule):
    """Same module, same Trainer, but a training step that does nothing: what Lightning costs by itself."""

    def training_step(self, batch, batch_idx) -> None:
        return None


def lms_fit(data: RegressionData, lrs: tuple[float, ...], epochs: int, progress_bar: bool, run_dir: Path) -> LMSFit:
    """The fit `train.py lms-sweep --accelerator cpu` builds, checkpointing included."""
    cfg = LMSSweepConfig(lrs=tuple(lrs), epochs=epochs, accelerator="cpu", progress_bar=progress_bar)
    checkpointing = checkpoint_callbacks(run_dir, "bench", every_n_epochs=epochs, monitor=None)
    return build_lms_fit(cfg, data, list(COURSE_W0), wiener_solution(data.X, data.D), run_dir, checkpointing)


class Terminal(io.StringIO):
    """Swallows the bar's frames while saying it is a terminal, so that the fit shows the tqdm bar a user at a
    terminal sees (with output to a file or a pipe, a run prints one line per epoch instead)."""

    def isatty(self) -> bool:
        return True


def lightning_fit_seconds(
    data: RegressionData, lrs: tuple[float, ...], epochs: int, progress_bar: bool = False, empty: bool = False
) -> float:
    """Wall time of trainer.fit for the run `train.py` would make (TensorBoard, callbacks, optional bar)."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(Terminal()):  # the bar's output
        run_dir = Path(tmp) / "bench" / "version_0"
        run_dir.mkdir(parents=True)
        fit = lms_fit(data, lrs, epochs, progress_bar, run_dir)
        module = EmptyStepLMS(lrs, list(COURSE_W0), dtype="float64") if empty else fit.module
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


def regression_data(n: int, seed: int = 0) -> RegressionData:
    rng = np.random.default_rng(seed)
    X = np.hstack([np.ones((n, 1)), rng.standard_normal((n, 2))])
    return RegressionData(X=X, D=X @ np.array([1.0, 1.0, -2.0]) + 0.01 * rng.standard_normal(n), path=Path(f"n{n}"))


def per_step_us(seconds: dict[int, float], n: int) -> float:
    return (seconds[LONG] - seconds[SHORT]) / ((LONG - SHORT) * n) * 1e6


def lightning_epoch_seconds(data: RegressionData, epochs: int = 3) -> float:
    """Seconds per epoch of the single-rate fit `train.py lms` runs, timed inside the fit (first epoch skipped)."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        run_dir = Path(tmp) / "bench" / "version_0"
        run_dir.mkdir(parents=True)
        fit = lms_fit(data, (0.005,), epochs, False, run_dir)
        timer = EpochTimer()
        fit.trainer.callbacks.append(timer)
        fit.run()
        return median(timer.durations[1:])


def fitted_exponent(seconds: dict[int, float]) -> float:
    """k in time ~ N^k: the slope of log(time) against log(N); 1 means linear."""
    sizes = sorted(seconds)
    return float(np.polyfit(np.log(sizes), np.log([seconds[n] for n in sizes]), 1)[0])


def scaling(reps: int) -> dict:
    """Seconds per epoch of the single-rate Lightning fit for N samples."""
    datasets = {n: regression_data(n) for n in SCALING_SIZES}
    samples = interleaved({n: (lambda d=d: lightning_epoch_seconds(d)) for n, d in datasets.items()}, reps, warmup=0)
    seconds = {n: median(values) for n, values in samples.items()}
    return {
        "seconds_per_epoch": {str(n): round(s, 4) for n, s in seconds.items()},
        "us_per_sample": {str(n): round(s / n * 1e6, 1) for n, s in seconds.items()},
        "fitted_exponent": round(fitted_exponent(seconds), 3),  # time ~ N^exponent; 1 is linear
    }


def run(reps: int = 5, with_scaling: bool = True) -> dict:
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
    samples = interleaved({name: (lambda m=m: {e: m(e) for e in (SHORT, LONG)}) for name, m in variants.items()}, reps)
    us = {name: median([per_step_us(s, n) for s in runs]) for name, runs in samples.items()}

    def fit_seconds(run: dict[int, float], epochs: int = 20) -> float:  # a 20-epoch fit, interpolated
        return run[SHORT] + (run[LONG] - run[SHORT]) * (epochs - SHORT) / (LONG - SHORT)

    def ratio(top: str, bottom: str, measure=lambda run: per_step_us(run, n)) -> float:
        # median of the per-repetition ratios: the variants of one repetition ran back to back
        return round(median([measure(a) / measure(b) for a, b in zip(samples[top], samples[bottom], strict=True)]), 3)

    result = {
        "benchmark": "lms",
        "reps": reps,
        "samples": n,
        "us_per_step": {name: round(value, 1) for name, value in us.items()},
        "ratios": {
            "lightning_over_plain_torch": ratio("lightning", "plain_torch"),
            # Lightning's own per-step cost (empty training_step, same Trainer) against the whole plain step:
            "lightning_empty_step_over_plain_torch": ratio("lightning_empty_step", "plain_torch"),
            "lightning_progress_bar_over_plain_torch": ratio("lightning_progress_bar", "plain_torch"),
            "plain_torch_over_numpy": ratio("plain_torch", "numpy"),
            "sweep_over_single_per_step": ratio("lightning_sweep", "lightning"),
            "sweep_over_single_fit_20_epochs": ratio("lightning_sweep", "lightning", fit_seconds),
        },
        "targets": {"sweep_over_single": "<= 1.3", "lightning_over_plain_torch": "<= 2.5", "scaling_exponent": "~1"},
    }
    if with_scaling:
        result["scaling"] = scaling(max(1, reps // 2))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5, help="repetitions; the median is reported")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    setup_quiet()
    emit({"machine": machine(), **run(args.reps)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
