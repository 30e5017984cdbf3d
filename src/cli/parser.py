"""The parser of one command, generated from its config class: one option per field (its docstring is the
help, its default is shown), `--config FILE` (YAML or JSON) and `--print-config`. Built on jsonargparse's
ArgumentParser (what LightningCLI stands on) for the config files; values are converted and checked by the
config's own declarations (src/config), so command line, files and config.json share one set of rules."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import yaml
from jsonargparse import ActionConfigFile, ArgumentParser, DefaultHelpFormatter

from src.cli.argv import CONFIG, PRINT_CONFIG, regular_words
from src.cli.messages import one_line
from src.config import Options, build, option_fields, to_json
from src.config.options import OptionField
from src.errors import UserError
from src.experiments import Command


class Formatter(DefaultHelpFormatter):
    """Wide enough that most help lines stay on one line, and every help text shown as written."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=34, width=112)

    def _expand_help(self, action: argparse.Action) -> str:
        # argparse reads a help text as a %-template ('%%' for a percent sign); jsonargparse's template expands
        # only `%(name)s` and leaves '%%' doubled. Our help texts use no placeholders: take them literally.
        return action.help or ""


class Switch(argparse.Action):
    """`--name` sets True, `--no-name` sets False."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: object, values: object, option: str = "") -> None:
        setattr(namespace, self.dest, not option.startswith("--no-"))


def help_text(field: OptionField) -> str:
    shown = "" if field.default is None else field.kind.show(field.default)
    return field.help + (f" (default: {shown})" if shown else "")


def command_parser(command: Command) -> ArgumentParser:
    positional = command.positional.upper() if command.positional else None
    parser = ArgumentParser(
        prog=f"train.py {command.name}",
        usage=f"train.py {command.name} {positional} [options]" if positional else None,
        description=command.description,
        formatter_class=Formatter,
        exit_on_error=False,
        allow_abbrev=False,
        print_config=None,
        env_prefix=False,
        default_env=False,
    )
    parser.add_argument(
        CONFIG,
        action=ActionConfigFile,
        metavar="FILE",
        help="options from a YAML or JSON file (keys as in --print-config); an option also given on the command "
        "line takes the command line's value (a list option: its values replace the file's), wherever --config stands",
    )
    parser.add_argument(
        PRINT_CONFIG, action="store_true", default=argparse.SUPPRESS, help="print the options as YAML and exit"
    )
    fields = option_fields(command.config)
    groups: dict[str, list[OptionField]] = {}
    for field in reversed(fields):  # the command's own options first, the shared groups after
        groups.setdefault(field.group, []).insert(0, field)
    for title, members in groups.items():
        group = parser.add_argument_group(title)
        for field in members:
            # SUPPRESS: an option not given stays absent, so the config's own default applies (one place).
            common = dict(dest=field.name, default=argparse.SUPPRESS, help=help_text(field))
            if field.kind.is_flag:
                group.add_argument(field.flag, "--no-" + field.flag[2:], action=Switch, **common)
            else:
                group.add_argument(field.flag, metavar=field.metavar, **common)
    return parser


def parse(command: Command, argv: Sequence[str]) -> tuple[Options, frozenset[str]] | None:
    """The config and the names of the options given (command line or --config file); None when the command
    line only asked for --print-config (printed) or --help (printed by the parser, which exits)."""
    words = regular_words(command, argv)
    parser = command_parser(command)
    try:
        namespace = parser.parse_args(words, defaults=False)
    except argparse.ArgumentError as exc:
        raise UserError(one_line(str(exc), option_fields(command.config))) from None
    values = {key: value for key, value in namespace.as_dict().items() if key not in ("config", "print_config")}
    cfg = build(command.config, values)
    if namespace.get("print_config"):
        print(yaml.safe_dump(to_json(cfg), sort_keys=False), end="")
        return None
    return cfg, frozenset(values)
