"""Run directories: runs/<experiment>/version_N, created atomically, never reused, and trained into by one
process at a time."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from src.errors import UserError
from src.experiments.ranks import RUN_DIR_ENV, is_rank_zero

VERSION = re.compile(r"^version_(\d+)$")
LOCK_FILE = ".lock"


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
    taken = [int(m.group(1)) for m in map(VERSION.match, os.listdir(parent)) if m]
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


def check_logdir(logdir: str | Path, experiment: str) -> None:
    """That LOGDIR/<experiment>/version_N can be created, checked without creating anything: the nearest
    existing folder on the way must be a writable directory."""
    target = Path(logdir) / experiment
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise UserError(f"--logdir {logdir}: cannot create {target} ({existing} is not a directory)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--logdir {logdir}: cannot create {target} ({existing} is not writable)")


def runs_of(logdir: str | Path, experiment: str) -> list[Path]:
    """The run directories of an experiment under logdir, oldest first."""
    parent = Path(logdir) / experiment
    found = [(int(m.group(1)), p) for p in parent.glob("version_*") if (m := VERSION.match(p.name)) and p.is_dir()]
    return [path for _, path in sorted(found)]


class RunDirectory:
    """The directory of one run, and whether its training has started (see `run_directory`)."""

    def __init__(self, path: Path, created: bool) -> None:
        self.path = path
        self.created = created
        self.started = False

    def training_started(self) -> None:
        """From now on the directory holds the run's work (events, checkpoints, figures): keep it, whatever
        happens next."""
        self.started = True


@contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """Hold the run directory's lock for the block, or refuse in one line when another process holds it: two
    `--resume` of one run, or a resume of a run that is still training, would write into the same files.

    An flock belongs to the open file, and the kernel releases it when the file is closed or the process ends,
    however it ends (an exception, a signal, SIGKILL): a lock left by a dead process is no lock at all, so there
    are no stale locks to recognise. The file stays (its content, the holder's pid, is only for the message):
    deleting it would let a process that had just opened it lock a file that is no longer the directory's.
    """
    path = Path(run_dir) / LOCK_FILE
    try:
        handle = open(path, "a+")
    except OSError as exc:
        raise UserError(f"{run_dir}: cannot open {LOCK_FILE} ({exc.strerror})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            raise UserError(
                f"{run_dir} is in use: another process{f' (pid {holder})' if holder else ''} is training it; wait "
                "for it to end (or stop it), then resume"
            ) from None
        except OSError:  # a file system without locks (some network mounts): run unguarded rather than not at all
            pass
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield


@contextmanager
def run_directory(logdir: str | Path, experiment: str, existing: Path | None = None) -> Iterator[RunDirectory]:
    """A new run directory (or, to resume, the `existing` one) for the block.

    A directory this block created is removed again if the block fails on a user error before training
    started: then it holds nothing but what the run wrote while setting up. Once training has started, a late
    user error (a full disk while writing results, say) keeps everything. An existing directory is never
    removed, and a bug keeps its directory for inspection. In a DDP run only rank zero creates the directory;
    the other ranks create nothing: a resumed run's ranks all use its directory, the processes Lightning
    launches get the new one from the environment, and processes a cluster started (srun, torchrun), which
    Lightning gives only rank zero's logger and checkpoints to write, get a placeholder path. Rank zero holds
    the directory's lock (`run_lock`) for the block.
    """
    if not is_rank_zero():
        shared = existing or os.environ.get(RUN_DIR_ENV) or Path(logdir) / experiment / "not-rank-zero"
        yield RunDirectory(Path(shared), created=False)
        return
    directory = RunDirectory(Path(existing), created=False) if existing else None
    directory = directory or RunDirectory(create_run_dir(logdir, experiment), created=True)
    previous = os.environ.get(RUN_DIR_ENV)
    os.environ[RUN_DIR_ENV] = str(directory.path)  # inherited by the processes the DDP launcher starts
    try:
        with run_lock(directory.path):  # released on any exit; only rank zero holds it (the others return above)
            yield directory
    except UserError:
        if directory.created and not directory.started:
            shutil.rmtree(directory.path, ignore_errors=True)
        raise
    finally:
        if previous is None:
            os.environ.pop(RUN_DIR_ENV, None)
        else:
            os.environ[RUN_DIR_ENV] = previous
