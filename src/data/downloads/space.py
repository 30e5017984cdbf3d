"""Cache folders: created with a one-line error when they cannot be, and checked for free space before a large
download or extraction starts."""

from __future__ import annotations

import shutil
from pathlib import Path

from src.data.downloads.progress import megabytes
from src.errors import UserError

SPARE = 100_000_000  # bytes left free after a download and its extraction


def cache_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"{folder}: cannot create the cache folder ({exc.strerror or exc}); set CLASSIC_DL_CACHE"
        ) from None
    return folder


def check_space(folder: Path, needed: int, what: str) -> None:
    cache_folder(folder)
    free = shutil.disk_usage(folder).free
    if free < needed + SPARE:
        raise UserError(
            f"{folder}: {megabytes(free)} free, {what} needs about {megabytes(needed + SPARE)}; free some space or "
            f"set CLASSIC_DL_CACHE (HF_HOME for the Hugging Face cache) to a larger disk"
        )
