"""The words after the command, made regular before parsing: option names with dashes (`--batch_size` works
too), the values of a list option joined (`--lrs 0.1 0.5` is `--lrs 0.1,0.5`, and so is `--lrs 0.1 --lrs 0.5`),
a command's positional word turned into its option (`predict RUN` is `predict --run RUN`), --config files
before the options that override them, and every unknown option, stray word or option given twice with two
values reported in one line, with a suggestion."""

from __future__ import annotations

from collections.abc import Sequence

from src.config import OptionField, option_fields
from src.config.kinds import suggestion
from src.errors import UserError
from src.experiments import Command, Experiment, Tour, commands

HELP, CONFIG, PRINT_CONFIG = "--help", "--config", "--print-config"


def command_flags(command: Command) -> dict[str, str]:
    """Every option word of a command -> the option's name (`--no-x` for flags included)."""
    flags = {}
    for field in option_fields(command.config):
        flags[field.flag] = field.name
        if field.kind.is_flag:
            flags["--no-" + field.flag[2:]] = field.name
    return flags


def regular_words(command: Command, argv: Sequence[str]) -> list[str]:
    """The words as the parser takes them: `--name=value` once per option, --config files first."""
    fields = {field.name: field for field in option_fields(command.config)}
    flags = command_flags(command)
    positional = f"--{command.positional.replace('_', '-')}" if command.positional else None
    configs: list[str] = []
    words: list[str] = []  # in their order (the last switch wins); an option with a value where it first stands
    given: dict[str, list[str]] = {}  # an option with a value -> its value each time it was given
    position = 0
    while position < len(argv):
        word = argv[position]
        position += 1
        if word == "-h":
            words.append(word)
            continue
        if not word.startswith("--"):
            if positional is None or positional in given:
                raise UserError(f"unexpected argument {word!r} for {command.name} (options start with --)")
            given[positional] = [word]
            words.append(positional)
            continue
        name, has_value, inline = word.partition("=")
        name = "--" + name[2:].replace("_", "-")
        if name in (HELP, PRINT_CONFIG):
            words.append(name)
            continue
        if name != CONFIG and name not in flags:
            raise unknown_option(name, command, flags)
        field = fields.get(flags.get(name, ""))
        if field is not None and field.kind.is_flag:
            if has_value:
                raise UserError(f"{name} takes no value (it is a switch: {field.flag} or --no-{field.flag[2:]})")
            words.append(name)
            continue
        values = [inline] if has_value else []
        many = field is not None and field.kind.is_list
        while not has_value and position < len(argv) and not argv[position].startswith("--") and (many or not values):
            values.append(argv[position])
            position += 1
        if not values:
            raise UserError(f"{name}: expected a value")
        if field is None:  # --config FILE
            configs.append(f"{name}={values[0]}")
            continue
        if name not in given:
            words.append(name)  # its value goes where it first stands
        given.setdefault(name, []).append(field.kind.joiner.join(values))
    words = [
        f"{word}={once(word, given[word], fields[flags[word]], command)}" if word in given else word for word in words
    ]
    # The files first: jsonargparse applies a file where it stands, and an option given on the command line must
    # override the files wherever it stands.
    return [*configs, *words]


def once(name: str, values: list[str], field: OptionField, command: Command) -> str:
    """The one value of an option given `values` times: a list option's values add up in order (`--text A
    --text B` is two texts); another option may be repeated only with the same value, since keeping either
    would silently drop the other."""
    if field.kind.is_list:
        return field.kind.joiner.join(values)
    different = list(dict.fromkeys(values))
    if len(different) > 1:
        what = f"name one {command.positional}" if field.name == command.positional else "give it once"
        raise UserError(f"{name} given twice ({' and '.join(different)}): {what}")
    return values[0]


def unknown_option(name: str, command: Command, flags: dict[str, str]) -> UserError:
    if name == "--resume" and isinstance(command, Experiment) and not command.resumable:
        return UserError(f"--resume: {command.name} is not resumable; run it again instead")
    owners = [other.name for other in commands().values() if name in command_flags(other)]
    if isinstance(command, Tour) and owners:
        return UserError(
            f"unknown option {name} for {command.name}: it runs each part with the part's defaults; {name} is an "
            f"option of {', '.join(owners)}: run that command to change it"
        )
    hint = suggestion(name, [*flags, HELP, CONFIG, PRINT_CONFIG])
    elsewhere = f"; {name} is an option of {', '.join(owners)}" if owners and not hint else ""
    return UserError(f"unknown option {name} for {command.name}{hint}{elsewhere}")
