"""The words after the command, made regular before parsing: option names with dashes (`--batch_size` works
too), the values of a list option joined (`--lrs 0.1 0.5` is `--lrs 0.1,0.5`), a command's positional word
turned into its option (`predict RUN` is `predict --run RUN`), and every unknown option or stray word reported
in one line, with a suggestion."""

from __future__ import annotations

from collections.abc import Sequence

from src.config import option_fields
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
    fields = {field.name: field for field in option_fields(command.config)}
    flags = command_flags(command)
    words: list[str] = []
    position = 0
    while position < len(argv):
        word = argv[position]
        position += 1
        if word == "-h":
            words.append(word)
            continue
        if not word.startswith("--"):
            positional = command.positional
            if positional is None or any(w.startswith(f"--{positional.replace('_', '-')}=") for w in words):
                raise UserError(f"unexpected argument {word!r} for {command.name} (options start with --)")
            words.append(f"--{positional.replace('_', '-')}={word}")
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
        joiner = field.kind.joiner if field is not None else ","
        words.append(f"{name}={joiner.join(values)}")
    if command.positional is not None:
        flag = f"--{command.positional.replace('_', '-')}="
        given = [w[len(flag) :] for w in words if w.startswith(flag)]
        if len(given) > 1:
            raise UserError(f"{flag[:-1]} given twice ({' and '.join(given)}): name one {command.positional}")
    return words


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
