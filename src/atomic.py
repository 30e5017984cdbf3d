"""Files written completely or not at all (disk full, read-only directory, a crash half-way)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from src.errors import UserError


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file in the same directory, flush it to disk, then rename it over `path`.

    os.replace is atomic on POSIX, so readers see the old file or the new one, never half of one. Failures
    become a one-line UserError naming the file; the temporary file is removed.
    """
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_results(run_dir: Path, results: dict, report: str) -> None:
    """results.json (strict JSON: no NaN or inf) and report.md of a run, each atomically."""
    write_atomic(Path(run_dir) / "results.json", json.dumps(results, indent=2, allow_nan=False) + "\n")
    write_atomic(Path(run_dir) / "report.md", report)
