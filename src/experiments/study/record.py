"""What a study's own run directory holds (runs/study/version_N): config.json (its options), study.json (each
part's experiment, run directory and status, updated as each part ends) and report.md (one table for the whole
study, see report.py). A resumed study reads study.json to skip the parts that completed."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from src.atomic import write_atomic
from src.errors import UserError
from src.experiments.run_dir import runs_of

RECORD_FILE = "study.json"


@dataclass
class PartRecord:
    experiment: str
    run_dir: str | None = None  # set when the part starts; relative to the study's directory (both can move)
    status: str = "pending"  # pending, running, interrupted, failed, completed


@dataclass
class StudyRecord:
    path: Path  # the study's run directory
    parts: list[PartRecord] = field(default_factory=list)

    def save(self) -> None:
        data = {"parts": [asdict(part) for part in self.parts]}
        write_atomic(self.path / RECORD_FILE, json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> StudyRecord:
        try:
            data = json.loads((path / RECORD_FILE).read_text())
            return cls(path, [PartRecord(**part) for part in data["parts"]])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UserError(f"--resume {path}: no readable {RECORD_FILE} ({exc}); not a study run directory") from None

    def run_dir_of(self, part: PartRecord) -> Path | None:
        return None if part.run_dir is None else Path(os.path.normpath(self.path / part.run_dir))

    def started(self, part: PartRecord, run_dir: Path) -> None:
        part.run_dir, part.status = os.path.relpath(Path(run_dir).resolve(), self.path.resolve()), "running"
        self.save()

    @property
    def completed(self) -> bool:
        return all(part.status == "completed" for part in self.parts)


def find_study(spec: str, logdir: Path, name: str) -> Path:
    """The study run `--resume` names: 'last' (the newest under logdir) or its directory."""
    if spec == "last":
        runs = runs_of(logdir, name)
        if not runs:
            raise UserError(f"--resume last: no {name} run under {Path(logdir) / name} to resume")
        return runs[-1]
    path = Path(spec)
    if not path.is_dir():
        raise UserError(f"--resume {spec}: no such run directory (expected {Path(logdir) / name}/version_N or 'last')")
    if not (path / RECORD_FILE).is_file():
        raise UserError(f"--resume {spec}: not a {name} run directory (no {RECORD_FILE})")
    return path
