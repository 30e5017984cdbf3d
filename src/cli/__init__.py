"""The command line: parse -> build a config -> run an experiment -> say where the results are."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from src.cli import commands
from src.cli.options import (
    Parser,
    add_image_data_option,
    add_image_options,
    add_lms_data_option,
    add_run_options,
    add_single_rate_options,
    add_sweep_options,
    formatter,
)
from src.errors import RunInterrupted, UserError
from src.experiments.quiet import quiet_lightning

DEFAULT_COMMAND = "study"

COMMANDS = {
    # name: (help, description, add options, handler, experiment)
    "study": (
        "the full study (default): LMS sweep, SimpleNN analysis, a short classification run",
        "The full study, each part with its defaults and its own run directory: the LMS learning-rate sweep "
        "(Wiener solution, stability theory), the SimpleNN analysis (Table 2, zero-init study) and a "
        "classification run. Use the other commands to change a part's options.",
        lambda p: (add_lms_data_option(p), add_image_data_option(p), add_run_options(p)),
        commands.run_study_command,
        "study",
    ),
    "lms-sweep": (
        "LMS for several learning rates side by side in one fit",
        "LMS for several learning rates in one fit; each rate has its own weights and sees one sample per "
        "step. A rate that diverges is frozen and reported with its epoch.",
        add_sweep_options,
        commands.run_lms_command,
        "lms-sweep",
    ),
    "lms": (
        "LMS for one learning rate",
        "The LMS (Widrow-Hoff) filter for one learning rate, against the Wiener solution.",
        add_single_rate_options,
        commands.run_lms_command,
        "lms",
    ),
    "simplenn": (
        "SimpleNN: Table 2, weight/gradient histograms, the zero-initialisation study",
        "The course's SimpleNN: per-layer shapes, parameters and MACs (Table 2), weight and gradient "
        "histograms at default and at zero init, why gradients vanish, and the classifier trained from both.",
        lambda p: add_image_options(p, epochs=commands.STUDY_IMAGE_EPOCHS["simplenn"], resumable=False),
        commands.run_simplenn_command,
        "simplenn",
    ),
    "classify": (
        "SimpleNN as an image classifier (embedded digits, or CIFAR-10 with --data-dir)",
        "Trains SimpleNN (without its final ReLU) with cross-entropy; logs the layer summary, losses, "
        "accuracies and weight/gradient histograms to TensorBoard.",
        lambda p: add_image_options(p, epochs=commands.STUDY_IMAGE_EPOCHS["classify"], resumable=True),
        commands.run_classify_command,
        "classify",
    ),
}


class _FullHelp(argparse.Action):
    """`train.py --help` prints the overview and then every command's options with their defaults."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest=dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        parts = [parser.format_help()]
        for name, sub in parser._subparsers._group_actions[0].choices.items():  # the commands, in order
            parts.append(f"\n=== train.py {name} ===\n{sub.format_help()}")
        print("".join(parts))
        parser.exit(0)


def build_parser() -> Parser:
    parser = Parser(
        prog="train.py",
        description="Classic deep-learning experiments with PyTorch Lightning. "
        f"Without a command, runs `{DEFAULT_COMMAND}`.",
        formatter_class=formatter,
        add_help=False,
        allow_abbrev=False,
    )
    parser.add_argument("-h", "--help", action=_FullHelp, help="show every command's options and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="command", parser_class=Parser)
    for name, (help_text, description, add_options, handler, experiment) in COMMANDS.items():
        sub = subparsers.add_parser(
            name, help=help_text, description=description, formatter_class=formatter, allow_abbrev=False
        )
        add_options(sub)
        sub.set_defaults(handler=handler, experiment=experiment)
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The parsed options, plus `given`: the destinations of the options that appear on the command line
    (a resumed run checks them against its saved options)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = [DEFAULT_COMMAND, *argv]  # options without a command belong to the default command
    parser = build_parser()
    args = parser.parse_args(argv)
    command = parser._subparsers._group_actions[0].choices[args.command]
    tokens = {token.split("=", 1)[0] for token in argv[1:] if token.startswith("--")}
    args.given = frozenset(
        action.dest for action in command._actions if any(option in tokens for option in action.option_strings)
    )
    return args


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
    except RunInterrupted as stop:
        print(str(stop), file=sys.stderr)
        return stop.exit_status
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
