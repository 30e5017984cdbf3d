"""held: an exclusive lock on a cache entry, so that two runs fetching the same file take turns (the second one
then finds the file there). An flock is released by the kernel when the process ends, however it ends."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from src.data.downloads.space import cache_folder


@contextmanager
def held(path: Path, what: str) -> Iterator[None]:
    lock = path.with_name(path.name + ".lock")
    cache_folder(lock.parent)
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another run that is fetching {what} ...", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
