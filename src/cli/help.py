"""`train.py --help`: the commands, then every command's options with their defaults."""

from __future__ import annotations

from src.cli.parser import command_parser
from src.experiments import DEFAULT_COMMAND, commands


def overview() -> str:
    listed = commands()
    width = max(map(len, listed))
    lines = [
        "usage: train.py [command] [options]",
        "",
        f"Classic deep-learning experiments with PyTorch Lightning. Without a command, runs `{DEFAULT_COMMAND}`.",
        "",
        "commands:",
        *(f"  {name.ljust(width)}  {command.help}" for name, command in listed.items()),
        "",
        "`train.py COMMAND --help` shows one command's options. Every command also takes --config FILE (options",
        "from YAML or JSON) and --print-config; option names may be written with dashes or underscores. A list",
        "option takes several values (`--lrs 0.1 0.5`); given twice, its values add up (`--text A --text B`).",
    ]
    return "\n".join(lines)


def full_help() -> str:
    parts = [overview()]
    for name, command in commands().items():
        parts.append(f"\n=== train.py {name} ===\n{command_parser(command).format_help()}")
    return "\n".join(parts)
