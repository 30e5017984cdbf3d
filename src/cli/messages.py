"""jsonargparse's and argparse's error messages, folded into the one-line `error: ...` contract."""

from __future__ import annotations

import re

from src.config.kinds import suggestion
from src.config.options import OptionField


def one_line(message: str, fields: tuple[OptionField, ...]) -> str:
    text = " ".join(message.split())
    flags = {field.name: field.flag for field in fields} | {"config": "--config"}
    if match := re.fullmatch(r"Parser key \"config\": File does not exist: '(.*)'", text):
        return f"--config {match[1]}: no such file"
    if match := re.fullmatch(r'Parser key "([^"]+)": (.*)', text):
        return f"{flags.get(match[1], match[1])}: {match[2]}"
    if match := re.fullmatch(r"Option '([^']+)' is not accepted", text):
        return f"--config: unknown option {match[1]!r}{suggestion(match[1], flags)}"
    if text.startswith(("Problems parsing config", "Unexpected config")):
        return f"--config: expected a YAML or JSON mapping of option names to values ({text})"
    if match := re.fullmatch(r"argument ([^:]+): (.*)", text):
        return f"{match[1].split('/')[0]}: {match[2]}"
    return text
