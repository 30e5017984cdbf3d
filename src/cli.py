"""The command line: parse -> build a config -> run an experiment -> say where the results are."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from src.data import EMBEDDED_LMS_DATA
from src.errors import UserError
from src.experiments.lms import run_lms
from src.experiments.lms_config import COURSE_W0, DEFAULT_LR, DEFAULT_SWEEP_LRS, LMSConfig
from src.experiments.lms_report import console_table
from src.experiments.quiet import quiet_lightning

DEFAULT_COMMAND = "study"


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake raises UserError (one line, exit 2) instead of printing usage + message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(message)


def _float_list(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated finite numbers, got {text!r}")
    return values


def _w0(text: str) -> tuple[float, ...] | str:
    return "zeros" if text.strip().lower() == "zeros" else _float_list(text)


def _data_path(text: str) -> Path:
    return EMBEDDED_LMS_DATA if text == "embedded" else Path(text)


def _csv(values: Sequence[float]) -> str:
    """A default as the user would type it: 0.53,0.2,0.1 (argparse runs string defaults through `type`)."""
    return ",".join(f"{v:g}" for v in values)


def _formatter(prog: str) -> argparse.HelpFormatter:
    # Wide enough that "(default: ...)" stays on one line.
    return argparse.ArgumentDefaultsHelpFormatter(prog, max_help_position=30, width=110)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="seed for every random choice (bit-identical on CPU)")
    parser.add_argument("--logdir", type=Path, default=Path("runs"), help="runs go to LOGDIR/<experiment>/version_N")
    parser.add_argument(
        "--accelerator",
        default="auto",
        choices=("auto", "cpu", "gpu", "cuda", "mps"),
        help="where to train; auto takes a GPU when one is present",
    )
    parser.add_argument("--no-progress-bar", action="store_true", help="hide the progress bar")


def _add_lms_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=_data_path,
        default="embedded",
        help="regression data: .mat or .npz with X (N x (p+1), first column ones) and D (N x 1), "
        f"or .csv (header row; feature columns, then the target); 'embedded' is {EMBEDDED_LMS_DATA.name}",
    )
    parser.add_argument("--epochs", type=_positive_int, default=20, help="passes over the data per rate")
    parser.add_argument(
        "--w0",
        type=_w0,
        default=_csv(COURSE_W0),
        help="initial weights: p+1 comma-separated numbers (bias first) or 'zeros'",
    )
    parser.add_argument("--shuffle", action="store_true", help="shuffle the samples each epoch (seeded)")
    parser.add_argument(
        "--devices",
        default="1",
        help="LMS is sequential (one sample per step), so it runs on exactly 1 device",
    )
    parser.add_argument("--precision", default="64-true", help="64-true (float64) or 32-true (float32)")
    _add_common(parser)


def _add_sweep_options(parser: argparse.ArgumentParser) -> None:
    _add_lms_options(parser)
    parser.add_argument(
        "--lrs", type=_float_list, default=_csv(DEFAULT_SWEEP_LRS), help="learning rates, comma-separated"
    )


def build_parser() -> _Parser:
    formatter = _formatter
    parser = _Parser(
        prog="train.py",
        description="Classic deep-learning experiments with PyTorch Lightning. "
        f"Without a command, runs `{DEFAULT_COMMAND}`.",
        formatter_class=formatter,
        add_help=False,
    )
    parser.add_argument("-h", "--help", action=_FullHelp, help="show every command's options and exit")
    commands = parser.add_subparsers(dest="command", metavar="command", parser_class=_Parser)

    study = commands.add_parser(
        DEFAULT_COMMAND,
        help="the full study (default): the Wiener solution and the LMS learning-rate sweep",
        description="The full study: the Wiener solution, the stability theory and the LMS learning-rate sweep.",
        formatter_class=formatter,
    )
    _add_sweep_options(study)
    study.set_defaults(handler=_run_lms_command, experiment="lms-sweep")

    sweep = commands.add_parser(
        "lms-sweep",
        help="LMS for several learning rates side by side in one fit",
        description="LMS for several learning rates in one fit; each rate has its own weights and sees one "
        "sample per step. A rate that diverges is frozen and reported with its epoch.",
        formatter_class=formatter,
    )
    _add_sweep_options(sweep)
    sweep.set_defaults(handler=_run_lms_command, experiment="lms-sweep")

    single = commands.add_parser(
        "lms",
        help="LMS for one learning rate",
        description="The LMS (Widrow-Hoff) filter for one learning rate, against the Wiener solution.",
        formatter_class=formatter,
    )
    _add_lms_options(single)
    single.add_argument("--lr", type=_positive_float, default=DEFAULT_LR, help="learning rate r in w <- w + r e x")
    single.set_defaults(handler=_run_lms_command, experiment="lms")
    return parser


class _FullHelp(argparse.Action):
    """`train.py --help` prints the overview and then every command's options with their defaults."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest=dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        parts = [parser.format_help()]
        for action in parser._subparsers._group_actions:  # the subcommands, in order
            for name, sub in action.choices.items():
                parts.append(f"\n=== train.py {name} ===\n{sub.format_help()}")
        print("".join(parts))
        parser.exit(0)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    if not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help")):
        argv = [DEFAULT_COMMAND, *argv]  # options without a command belong to the default command
    return parser.parse_args(argv)


def _run_lms_command(args: argparse.Namespace) -> int:
    lrs = (args.lr,) if args.experiment == "lms" else args.lrs
    cfg = LMSConfig(
        experiment=args.experiment,
        lrs=tuple(lrs),
        data=args.data,
        epochs=args.epochs,
        w0=args.w0,
        seed=args.seed,
        shuffle=args.shuffle,
        logdir=args.logdir,
        accelerator=args.accelerator,
        devices=args.devices,
        precision=args.precision,
        progress_bar=not args.no_progress_bar,
    )
    run = run_lms(cfg)
    results = run.results
    theory = results["theory"]
    wiener = results["wiener"]
    print()
    print(
        f"data: {results['data']['path']} ({results['data']['n_samples']} samples, p = {results['data']['n_features']})"
    )
    print(f"Wiener: w* = [{', '.join(f'{v:.6f}' for v in wiener['w'])}], MSE* = {wiener['mse']:.6g}")
    critical = "none found" if theory["lr_critical"] is None else f"{theory['lr_critical']:.4g}"
    print(
        f"theory: 2/lambda_max = {theory['lr_bound_lambda_max']:.4g}, 2/trace(R) = {theory['lr_bound_trace']:.4g}, "
        f"r_crit (in order) = {critical}"
    )
    print()
    print(console_table(results))
    print()
    _print_where(run.run_dir, args.logdir)
    return 0


def _print_where(run_dir: Path, logdir: Path) -> None:
    print(f"run directory: {run_dir}  (results.json, report.md, figures/, TensorBoard events)")
    print(f"TensorBoard:   tensorboard --logdir {logdir}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0, or 2 after a one-line `error: ...` on stderr)."""
    try:
        args = parse_args(argv)
        quiet_lightning()
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
