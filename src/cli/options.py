"""Argument types and option groups of the CLI; every default is shown by --help."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path

from src.data import EMBEDDED_LMS_DATA
from src.errors import UserError
from src.experiments.image_config import PRECISIONS, STRATEGIES
from src.experiments.lms_config import COURSE_W0, DEFAULT_LR, DEFAULT_SWEEP_LRS
from src.modules.classifier import LR_DECAYS, OPTIMIZERS


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake raises UserError (one line, exit 2) instead of printing usage + message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(message)


def formatter(prog: str) -> argparse.HelpFormatter:
    # Wide enough that most "(default: ...)" stay on one line.
    return argparse.ArgumentDefaultsHelpFormatter(prog, max_help_position=30, width=110)


def float_list(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated finite numbers, got {text!r}")
    return values


def w0_values(text: str) -> tuple[float, ...] | str:
    return "zeros" if text.strip().lower() == "zeros" else float_list(text)


def data_path(text: str) -> Path:
    return EMBEDDED_LMS_DATA if text == "embedded" else Path(text)


def image_dir(text: str) -> Path | None:
    return None if text == "embedded" else Path(text)


def csv_text(values: Sequence[float]) -> str:
    """A default as the user would type it: 0.53,0.2,0.1 (argparse runs string defaults through `type`)."""
    return ",".join(f"{v:g}" for v in values)


def _checked(convert: type, accept, requirement: str, show_text: bool):
    """An argparse type: `convert` the text, then require `accept(value)`; the error names the requirement."""
    kind = "a whole number" if convert is int else "a number"

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        if not accept(value):
            shown = repr(text) if show_text else value
            raise argparse.ArgumentTypeError(f"must be {requirement}, got {shown}")
        return value

    return parse


positive_float = _checked(float, lambda v: math.isfinite(v) and v > 0, "a finite number > 0", show_text=True)
non_negative_float = _checked(float, lambda v: math.isfinite(v) and v >= 0, "a finite number >= 0", show_text=True)
positive_int = _checked(int, lambda v: v >= 1, "at least 1", show_text=False)
non_negative_int = _checked(int, lambda v: v >= 0, ">= 0", show_text=False)
seed_value = _checked(int, lambda v: 0 <= v < 2**32, "in 0 .. 2**32 - 1", show_text=False)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options every command has."""
    parser.add_argument(
        "--seed", type=seed_value, default=0, help="seed for every random choice (bit-identical on CPU)"
    )
    parser.add_argument("--logdir", type=Path, default=Path("runs"), help="runs go to LOGDIR/<experiment>/version_N")
    parser.add_argument(
        "--accelerator",
        default="auto",
        choices=("auto", "cpu", "gpu", "cuda", "mps"),
        help="where to train; auto takes a GPU when one is present",
    )
    parser.add_argument("--no-progress-bar", action="store_true", help="hide the progress bar")


def add_training_run_options(parser: argparse.ArgumentParser) -> None:
    """Options of the commands whose training can be interrupted and resumed."""
    parser.add_argument(
        "--resume",
        metavar="RUN",
        default=None,
        help="continue a run in its own directory: 'last' (the newest run of this command under --logdir), a "
        "run directory, or a checkpoint file in one; the run keeps its saved options",
    )
    parser.add_argument(
        "--deterministic",
        action="store_true",
        help="torch's deterministic algorithms (CPU runs are bit-identical per seed anyway; this covers GPUs)",
    )


def add_lms_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=data_path,
        default="embedded",
        help="regression data: .mat or .npz with X (N x (p+1), first column ones) and D (N x 1), "
        f"or .csv (header row; feature columns, then the target); 'embedded' is {EMBEDDED_LMS_DATA.name}",
    )


def add_image_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=image_dir,
        default="embedded",
        help="a CIFAR-10 download (cifar-10-batches-py/ or cifar-10-batches-bin/, or the folder holding it); "
        "'embedded' is scikit-learn's bundled handwritten digits, upscaled to 3 x 32 x 32",
    )


def add_lms_options(parser: argparse.ArgumentParser) -> None:
    add_lms_data_option(parser)
    parser.add_argument("--epochs", type=positive_int, default=20, help="passes over the data per rate")
    parser.add_argument(
        "--w0",
        type=w0_values,
        default=csv_text(COURSE_W0),
        help="initial weights: p+1 comma-separated numbers (bias first) or 'zeros'",
    )
    parser.add_argument("--shuffle", action="store_true", help="shuffle the samples each epoch (seeded)")
    parser.add_argument(
        "--devices", default="1", help="LMS is sequential (one sample per step), so it runs on exactly 1 device"
    )
    parser.add_argument("--precision", default="64-true", help="64-true (float64) or 32-true (float32)")
    add_run_options(parser)
    add_training_run_options(parser)


def add_sweep_options(parser: argparse.ArgumentParser) -> None:
    add_lms_options(parser)
    parser.add_argument(
        "--lrs", type=float_list, default=csv_text(DEFAULT_SWEEP_LRS), help="learning rates, comma-separated"
    )


def add_single_rate_options(parser: argparse.ArgumentParser) -> None:
    add_lms_options(parser)
    parser.add_argument("--lr", type=positive_float, default=DEFAULT_LR, help="learning rate r in w <- w + r e x")


def add_image_options(parser: argparse.ArgumentParser, epochs: int, resumable: bool) -> None:
    add_image_data_option(parser)
    parser.add_argument("--epochs", type=positive_int, default=epochs, help="training epochs")
    parser.add_argument("--batch-size", type=positive_int, default=64, help="images per step")
    parser.add_argument("--optimizer", default="adam", choices=OPTIMIZERS, help="adam, or sgd with momentum")
    parser.add_argument(
        "--lr", type=positive_float, default=None, help="learning rate (default: 0.002 for adam, 0.02 for sgd)"
    )
    parser.add_argument("--momentum", type=non_negative_float, default=0.9, help="SGD momentum (Nesterov when > 0)")
    parser.add_argument("--weight-decay", type=non_negative_float, default=5e-4, help="L2 weight decay")
    parser.add_argument(
        "--lr-decay", default="cosine", choices=LR_DECAYS, help="learning-rate schedule over the epochs"
    )
    parser.add_argument("--augment", action="store_true", help="random crop (4-pixel padding) and horizontal flip")
    parser.add_argument("--num-workers", type=non_negative_int, default=0, help="DataLoader worker processes")
    parser.add_argument(
        "--grad-every", type=positive_int, default=50, help="gradient histograms every N optimizer steps"
    )
    parser.add_argument("--weight-every", type=positive_int, default=1, help="weight histograms every N epochs")
    parser.add_argument("--devices", default="1", help="devices per node, or auto")
    parser.add_argument(
        "--strategy",
        default="auto",
        choices=STRATEGIES,
        help="ddp: one process per device (and node), gradients averaged; auto picks ddp for several devices",
    )
    parser.add_argument("--num-nodes", type=positive_int, default=1, help="machines taking part (with ddp)")
    parser.add_argument(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="NHWC memory layout for the convolutions (faster on CPU and tensor-core GPUs)",
    )
    parser.add_argument("--compile", action="store_true", help="torch.compile the model's forward pass")
    parser.add_argument(
        "--precision",
        default="auto",
        choices=PRECISIONS,
        help="Lightning precision; auto = bf16-mixed on a GPU with bf16, 32-true (exact) on a CPU",
    )
    add_run_options(parser)
    if resumable:
        add_training_run_options(parser)
    else:
        parser.add_argument("--deterministic", action="store_true", help="torch's deterministic algorithms")
