"""The command line: pick the command, parse its options into its config, run it, and keep the one-line error
contract. Nothing here imports torch or Lightning: --help and argument errors answer at once; a command
imports them when it runs."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from src.cli.help import full_help
from src.cli.parser import parse
from src.config.kinds import suggestion
from src.errors import RunInterrupted, UserError
from src.experiments import DEFAULT_COMMAND, Command, commands


def split_command(argv: list[str]) -> tuple[Command, list[str]]:
    """The command and its words; options without a command belong to the default command."""
    known = commands()
    if not argv or argv[0].startswith("-"):
        return known[DEFAULT_COMMAND], argv
    name = argv[0]
    if name not in known:
        raise UserError(f"unknown command {name!r}{suggestion(name, known)}; commands: {', '.join(known)}")
    return known[name], argv[1:]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0, 2 after a one-line `error: ...` on stderr, 130/143 when a
    signal stopped training)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in ("-h", "--help"):
            print(full_help())
            return 0
        command, words = split_command(argv)
        parsed = parse(command, words)
        if parsed is None:  # --print-config
            return 0
        cfg, given = parsed
        return command.run(cfg, given)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RunInterrupted as stop:
        print(str(stop), file=sys.stderr)
        return stop.exit_status
    except KeyboardInterrupt:  # Ctrl-C before training started (or a second one during it): no traceback
        print("interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:  # a command's --help
        return int(exc.code or 0)
