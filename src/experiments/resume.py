"""Resuming: which run and checkpoint `--resume` means, and the options that run was saved with."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from src.callbacks.checkpointing import CHECKPOINTS, INTERRUPTED, LAST
from src.config import Options, from_json, option_fields
from src.errors import UserError
from src.experiments.checkpoint_file import CheckpointInfo, read_checkpoint
from src.experiments.run_dir import runs_of

CONFIG_FILE = "config.json"
C = TypeVar("C", bound=Options)


@dataclass(frozen=True)
class Resume:
    run_dir: Path
    checkpoint: CheckpointInfo


def find_resume(spec: str, logdir: Path, experiment: str) -> Resume:
    """`--resume last` (the newest run of `experiment` under logdir), a run directory, or a .ckpt file (in a
    run's checkpoints/, or in checkpoints/<part>/ of a run of several fits)."""
    if spec == "last":
        runs = runs_of(logdir, experiment)
        if not runs:
            raise UserError(f"--resume last: no {experiment} run under {Path(logdir) / experiment} to resume")
        run_dir = runs[-1]
    else:
        path = Path(spec)
        if path.is_file():
            if path.parent.name == CHECKPOINTS:
                run_dir = path.parent.parent
            elif path.parent.parent.name == CHECKPOINTS:  # a part's checkpoint: the run resumes every part
                run_dir = path.parent.parent.parent
            else:
                raise UserError(f"--resume {path}: expected a checkpoint inside a run's {CHECKPOINTS}/ folder")
            checkpoint = read_checkpoint(path, experiment)
            refuse_completed(run_dir, spec)
            return Resume(run_dir=run_dir, checkpoint=checkpoint)
        if not path.is_dir():
            raise UserError(f"--resume {path}: no such run directory or checkpoint file")
        run_dir = path
    refuse_completed(run_dir, spec)
    folder = run_dir / CHECKPOINTS
    parts = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    # Several parts train one after another, each counting its steps from 0: the one written last is where the
    # run stopped (within a folder, the one furthest along).
    found = [info for candidate in (folder, *parts) if (info := latest_checkpoint(candidate, experiment))]
    newest = max(found, key=lambda info: info.path.stat().st_mtime, default=None) if parts else (found or [None])[0]
    if newest is None:
        raise UserError(f"--resume {run_dir}: no {LAST} or {INTERRUPTED} in {folder} (nothing to resume)")
    return Resume(run_dir=run_dir, checkpoint=newest)


def latest_checkpoint(folder: Path, experiment: str) -> CheckpointInfo | None:
    """The one of folder's last.ckpt and interrupted.ckpt furthest along (most optimizer steps: an
    interruption after the last epoch checkpoint wins), or None when it has neither."""
    candidates = [p for p in (folder / LAST, folder / INTERRUPTED) if p.is_file()]
    infos = [read_checkpoint(path, experiment) for path in candidates]
    return max(infos, key=lambda info: (info.global_step, info.path.stat().st_mtime), default=None)


def refuse_completed(run_dir: Path, spec: str) -> None:
    """A finished run has nothing to resume: continuing it would only rewrite its results (and lose what only
    the original process measured, such as epoch times)."""
    try:
        status = json.loads((Path(run_dir) / "results.json").read_text()).get("status")
    except (OSError, ValueError, AttributeError):
        return  # no results yet (stopped before writing them): resumable from its checkpoints
    if status == "completed":
        raise UserError(f"--resume {spec}: {run_dir} has completed (results.json): nothing to resume")


def resumed_config(requested: C, run_dir: Path, given: frozenset[str], checkpoint: CheckpointInfo | None = None) -> C:
    """The saved options of the run being resumed. They must be those its `checkpoint` was trained with (see
    refuse_edited_config), and an option given on this command line (or in a --config file) must agree with the
    saved one, resolved as on this machine (a resumed run continues the same experiment), except the adjustable
    ones (device, progress bar, workers), which take the new value."""
    path = Path(run_dir) / CONFIG_FILE
    try:
        saved_values = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UserError(f"--resume {run_dir}: cannot read {CONFIG_FILE} ({exc})") from None
    try:
        saved = from_json(type(requested), saved_values)
    except UserError as exc:
        raise UserError(f"--resume {run_dir}: {CONFIG_FILE}: {exc}") from None
    if checkpoint is not None:
        refuse_edited_config(saved, run_dir, checkpoint)
    adjusted = {}
    for field in option_fields(type(requested)):
        if field.name not in given or not field.saved:
            continue
        ours, theirs = getattr(requested, field.name), getattr(saved, field.name)
        if field.adjustable:
            adjusted[field.name] = ours
        elif ours != theirs:
            raise UserError(
                f"{field.flag}: {field.kind.show(ours)} differs from the run being resumed "
                f"({field.kind.show(theirs)}); a resumed run keeps its options"
            )
    return replace(saved, resume=requested.resume, **adjusted)


def refuse_edited_config(saved: Options, run_dir: Path, checkpoint: CheckpointInfo) -> None:
    """config.json must hold the options the checkpoint was trained with: an edited file would continue, and
    report, a run trained at one rate as if it had another. The adjustable options (how the run executes) may
    differ, as on the command line. The message shows JSON values, as the file holds them."""
    try:
        trained = from_json(type(saved), checkpoint.options)
    except UserError as exc:
        raise UserError(f"--resume {checkpoint.path}: the options stored in the checkpoint: {exc}") from None
    for field in option_fields(type(saved)):
        ours, theirs = getattr(saved, field.name), getattr(trained, field.name)
        if field.saved and not field.adjustable and ours != theirs:
            ours_json, theirs_json = (json.dumps(field.kind.dump(value)) for value in (ours, theirs))
            raise UserError(
                f'--resume {run_dir}: {Path(run_dir) / CONFIG_FILE} has "{field.name}": {ours_json}, but the run was '
                f"trained with {theirs_json} (its checkpoint {checkpoint.path}); put {theirs_json} back: a resumed run "
                "keeps its options"
            )


def resume_or_new(requested: C, experiment: str, given: frozenset[str]) -> tuple[C, Resume | None]:
    """With `--resume`: the run to continue and its options; else the requested options and None."""
    spec = getattr(requested, "resume", None)
    if not spec:
        return requested, None
    resume = find_resume(spec, requested.logdir, experiment)
    return resumed_config(requested, resume.run_dir, given, resume.checkpoint), resume
