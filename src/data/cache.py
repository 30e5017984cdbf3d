"""The project's cache (downloaded archives, extracted datasets, the GPT-2 BPE folder, the converted SmolLM2
model): each entry written once, completely or not at all, and reused by every later run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from src.errors import UserError

CACHE_ENV = "CLASSIC_DL_CACHE"  # where the cache lives; default: $XDG_CACHE_HOME or ~/.cache


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "classic-dl-experiments"


def publish_folder(folder: Path, write: Callable[[Path], None]) -> Path:
    """Build `folder` with `write(staging)` in a staging folder beside it, then rename it into place: a crash
    half-way leaves no half-written folder that a later run would trust."""
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    try:
        staging.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        write(staging)
        if folder.exists():  # another process finished it first
            shutil.rmtree(staging)
        else:
            staging.rename(folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise UserError(f"cannot write the cache folder {folder}: {exc.strerror or exc} (set {CACHE_ENV})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder
