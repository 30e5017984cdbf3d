"""Commands the program prints for the user to run (TensorBoard, resume). Each must work when pasted into a
fresh shell in the project directory: no activated virtual environment, so the interpreter and TensorBoard are
named by a path that works from there, quoted for the shell."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TRAIN_SCRIPT = PROJECT / "scripts" / "train.py"


def shown_path(path: Path) -> str:
    """`path` relative to the working directory when it lies inside it, else absolute."""
    path = Path(path).absolute()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def executable(path: Path) -> str:
    """How a fresh shell in the working directory runs `path`: by its bare name when that finds the same file
    on the PATH a fresh shell has (an activated virtual environment's bin/ taken out), else by its path."""
    path = Path(path).absolute()
    fresh_path = os.pathsep.join(
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if not (os.environ.get("VIRTUAL_ENV") and Path(entry).absolute() == Path(os.environ["VIRTUAL_ENV"]) / "bin")
    )
    found = shutil.which(path.name, path=fresh_path)
    if found and Path(found).absolute() == path:
        return path.name
    return shown_path(path)


def train_command(*arguments: str | Path) -> str:
    """`<python> scripts/train.py <arguments>` for this interpreter."""
    words = [executable(Path(sys.executable)), shown_path(TRAIN_SCRIPT), *map(str, arguments)]
    return shlex.join(words)


def tensorboard_command(logdir: Path) -> str:
    """TensorBoard from this interpreter's environment, on `logdir`."""
    beside = Path(sys.executable).parent / "tensorboard"
    program = [executable(beside)] if beside.exists() else [executable(Path(sys.executable)), "-m", "tensorboard.main"]
    return shlex.join([*program, "--logdir", shown_path(logdir)])
