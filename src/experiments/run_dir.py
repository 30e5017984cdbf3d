"""Run directories: runs/<experiment>/version_N, created atomically and never reused."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from src.errors import UserError
from src.experiments.distributed import RUN_DIR_ENV, is_rank_zero, process_rank

_VERSION = re.compile(r"^version_(\d+)$")


def create_run_dir(logdir: str | Path, experiment: str) -> Path:
    """Make a new runs/<experiment>/version_N with the next free N.

    os.mkdir either creates the directory or fails, so two processes starting at the same moment can never
    share a directory: the loser of a race simply takes the next number.
    """
    parent = Path(logdir) / experiment
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--logdir {logdir}: cannot create {parent} ({exc.strerror})") from None
    taken = [int(m.group(1)) for m in map(_VERSION.match, os.listdir(parent)) if m]
    version = max(taken, default=-1) + 1
    while True:
        candidate = parent / f"version_{version}"
        try:
            os.mkdir(candidate)
            return candidate
        except FileExistsError:
            version += 1
        except OSError as exc:
            raise UserError(f"--logdir {logdir}: cannot create {candidate} ({exc.strerror})") from None


@contextmanager
def run_directory(logdir: str | Path, experiment: str, existing: Path | None = None) -> Iterator[Path]:
    """A new run directory (or, to resume, the `existing` one) for the block.

    A new directory is removed again if the block fails on a user error before any checkpoint was written:
    then the run produced nothing a user should keep. An existing one is never removed. A bug keeps its
    directory for inspection. In a DDP run only rank zero creates the directory; the other ranks get its
    path from the environment (see src/experiments/distributed.py) and create nothing.
    """
    if not is_rank_zero():
        shared = os.environ.get(RUN_DIR_ENV)
        yield Path(shared) if shared else Path(logdir) / experiment / f"rank-{process_rank()}-not-written"
        return
    path = Path(existing) if existing is not None else create_run_dir(logdir, experiment)
    previous = os.environ.get(RUN_DIR_ENV)
    os.environ[RUN_DIR_ENV] = str(path)  # inherited by the processes the DDP launcher starts during this run
    try:
        yield path
    except UserError:
        if existing is None and not any((path / "checkpoints").glob("*.ckpt")):
            shutil.rmtree(path, ignore_errors=True)
        raise
    finally:
        if previous is None:
            os.environ.pop(RUN_DIR_ENV, None)
        else:
            os.environ[RUN_DIR_ENV] = previous
