"""Checkpoints of a run and resuming from them: where they live, what identifies them, how they are loaded.

runs/<experiment>/version_N/
  config.json                  the run's options, written when it starts; a resumed run keeps them
  checkpoints/last.ckpt        the latest end-of-epoch state (classification: every epoch; LMS: at the end)
  checkpoints/best.ckpt        classification: the epoch with the best val/acc
  checkpoints/interrupted.ckpt the exact state at the step where SIGINT/SIGTERM stopped training
Checkpoints are read with torch.load(weights_only=True): no code in a checkpoint file can run.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path
from typing import Any, TypeVar

import torch
from pytorch_lightning.callbacks import Callback, ModelCheckpoint

from src.atomic import write_atomic
from src.callbacks import GracefulInterrupt, RNGState, TrainingInterrupted
from src.errors import RunInterrupted, UserError

CHECKPOINTS = "checkpoints"
LAST, INTERRUPTED, CONFIG = "last.ckpt", "interrupted.ckpt", "config.json"
_VERSION = re.compile(r"^version_(\d+)$")

Config = TypeVar("Config")


class RunState(RNGState):
    """What a checkpoint carries besides the training state: the experiment that wrote it (so that resuming
    another experiment's checkpoint fails with a clear message, not a state_dict mismatch deep in Lightning)
    and the global random generator states (RNGState). One callback for both: Lightning dispatches every hook
    to every callback on every step, which costs ~2 us per callback in an LMS step."""

    def __init__(self, experiment: str) -> None:
        self.experiment = experiment

    def state_dict(self) -> dict[str, Any]:
        return {"experiment": self.experiment, **super().state_dict()}


class EpochCheckpoint(ModelCheckpoint):
    """ModelCheckpoint with its state_key computed once. Lightning formats every callback's key on every
    hook call, and ModelCheckpoint derives its key from a repr of its settings each time (~1.2 us, about ten
    times per step); the key is the same string, so checkpoints stay interchangeable with ModelCheckpoint's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._state_key = super().state_key

    @property
    def state_key(self) -> str:
        return self._state_key


def checkpoint_callbacks(run_dir: Path, experiment: str, every_n_epochs: int, monitor: str | None) -> list[Callback]:
    """RunState, GracefulInterrupt (interrupted.ckpt) and a checkpoint callback writing last.ckpt every
    `every_n_epochs` epochs (after the epoch's logging) and, with `monitor`, the best epoch by it."""
    folder = Path(run_dir) / CHECKPOINTS
    # One best checkpoint, "best.ckpt", replaced when val/acc improves (its epoch is in results.json; Lightning's
    # epoch numbers in file names would be 0-based where our reports count from 1).
    best = dict(monitor=monitor, mode="max", save_top_k=1, filename="best", enable_version_counter=False)
    model_checkpoint = EpochCheckpoint(
        dirpath=folder,
        save_last=True,
        every_n_epochs=every_n_epochs,
        save_on_train_epoch_end=True,
        **(best if monitor else {"save_top_k": 0}),
    )
    return [RunState(experiment), GracefulInterrupt(folder / INTERRUPTED), model_checkpoint]


def read_checkpoint(path: Path, experiment: str) -> dict:
    """torch.load(weights_only=True), and the checkpoint must come from `experiment`."""
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a torch.load failure has many types: all mean "not a checkpoint we accept"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: not a loadable checkpoint of this project ({first})") from None
    if not isinstance(checkpoint, dict):
        raise UserError(f"{path}: not a Lightning checkpoint")
    identity = checkpoint.get("callbacks", {}).get("RunState", {}).get("experiment")
    if identity is None:
        raise UserError(f"{path}: not a checkpoint written by this project (no run identity)")
    if identity != experiment:
        raise UserError(f"--resume {path}: the checkpoint is from a '{identity}' run, not '{experiment}'")
    return checkpoint


@dataclasses.dataclass(frozen=True)
class Resume:
    run_dir: Path
    checkpoint: Path


def find_resume(spec: str, logdir: Path, experiment: str) -> Resume:
    """`--resume last` (the newest run of `experiment` under logdir), a run directory, or a .ckpt file."""
    if spec == "last":
        parent = Path(logdir) / experiment
        runs = sorted(
            (int(m.group(1)), p) for p in parent.glob("version_*") if (m := _VERSION.match(p.name)) and p.is_dir()
        )
        if not runs:
            raise UserError(f"--resume last: no {experiment} run under {parent} to resume")
        run_dir = runs[-1][1]
    else:
        path = Path(spec)
        if path.is_file():
            if path.parent.name != CHECKPOINTS:
                raise UserError(f"--resume {path}: expected a checkpoint inside a run's {CHECKPOINTS}/ folder")
            read_checkpoint(path, experiment)
            return Resume(run_dir=path.parent.parent, checkpoint=path)
        if not path.is_dir():
            raise UserError(f"--resume {path}: no such run directory or checkpoint file")
        run_dir = path
    candidates = [p for p in (run_dir / CHECKPOINTS / LAST, run_dir / CHECKPOINTS / INTERRUPTED) if p.is_file()]
    if not candidates:
        raise UserError(
            f"--resume {run_dir}: no {LAST} or {INTERRUPTED} in {run_dir / CHECKPOINTS} (nothing to resume)"
        )
    # The one furthest along: most optimizer steps (an interruption after the last epoch checkpoint wins).
    newest = max(candidates, key=lambda p: (read_checkpoint(p, experiment).get("global_step", 0), p.stat().st_mtime))
    return Resume(run_dir=run_dir, checkpoint=newest)


def save_config(run_dir: Path, cfg: Any) -> None:
    write_atomic(Path(run_dir) / CONFIG, json.dumps(config_to_json(cfg), indent=2) + "\n")


def config_to_json(cfg: Any) -> dict:
    out = {}
    for field in dataclasses.fields(cfg):
        if field.name in ("resume", "explicit"):
            continue
        value = getattr(cfg, field.name)
        out[field.name] = str(value) if isinstance(value, Path) else list(value) if isinstance(value, tuple) else value
    return out


def resumed_config(cfg: Config, run_dir: Path, allowed: frozenset[str]) -> Config:
    """The saved options of the run being resumed. An option given on this command line must agree with the
    saved one (a resumed run continues the same experiment), except those in `allowed` (device, progress bar)."""
    path = Path(run_dir) / CONFIG
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UserError(f"--resume {run_dir}: cannot read {CONFIG} ({exc})") from None
    fields = {field.name: field for field in dataclasses.fields(cfg)}
    values = {}
    for name, value in saved.items():
        if name not in fields:
            raise UserError(f"--resume {run_dir}: {CONFIG} has an unknown option {name!r}")
        current = getattr(cfg, name)
        if isinstance(current, Path) or (current is None and name.endswith(("dir", "data"))):
            value = None if value is None else Path(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    for name in cfg.explicit - allowed - {"resume", "explicit"}:
        if name in values and getattr(cfg, name) != values[name]:
            raise UserError(
                f"--{name.replace('_', '-')}: {getattr(cfg, name)!r} differs from the run being resumed "
                f"({values[name]!r}); a resumed run keeps its options"
            )
    for name in allowed & cfg.explicit:
        values[name] = getattr(cfg, name)
    return dataclasses.replace(cfg, **values)


def run_meta(run_dir: Path, started: float, resume: Resume | None, stop: Any, trainer: Any) -> dict:
    """The part of results.json that may differ between two runs with one seed: paths, times, resumption."""
    meta = {"run_dir": str(run_dir), "started": started, "elapsed_s": time.time() - started}
    meta["resumed_from"] = None if resume is None else str(resume.checkpoint)
    if stop is not None:
        meta["interrupted"] = {
            "signal": stop.signal_name,
            "epoch": trainer.current_epoch,
            "global_step": trainer.global_step,
            "checkpoint": str(Path(run_dir) / CHECKPOINTS / INTERRUPTED),
        }
    return meta


def interruption_message(experiment: str, run_dir: Path, stop: Any, trainer: Any) -> str:
    checkpoint = Path(run_dir) / CHECKPOINTS / INTERRUPTED
    return (
        f"interrupted by {stop.signal_name} in epoch {trainer.current_epoch + 1} after {trainer.global_step} "
        f"steps; checkpoint {checkpoint}, partial results in {run_dir}/results.json\n"
        f"resume with: python scripts/train.py {experiment} --resume {run_dir}"
    )


def finish_checkpoints(run_dir: Path) -> None:
    """A completed run no longer needs the checkpoint of an interruption it recovered from."""
    (Path(run_dir) / CHECKPOINTS / INTERRUPTED).unlink(missing_ok=True)


def resolve_resume(cfg: Config, allowed: frozenset[str]) -> tuple[Config, Resume | None]:
    """With `cfg.resume`: the run to continue, and the options it was saved with (see resumed_config)."""
    if not cfg.resume:
        return cfg, None
    resume = find_resume(cfg.resume, cfg.logdir, cfg.experiment)
    return resumed_config(cfg, resume.run_dir, allowed), resume


def fit_or_interrupt(fit: Any, resume: Resume | None) -> Any:
    """Train (from the resumed checkpoint, if any); the TrainingInterrupted of a signal, or None when done."""
    try:
        fit.run(checkpoint=resume.checkpoint if resume else None)
    except TrainingInterrupted as stop:
        return stop
    return None


def conclude(experiment: str, run_dir: Path, stop: Any, trainer: Any) -> None:
    """After the results are written: report an interruption (RunInterrupted: the CLI prints how to resume and
    exits 130/143), or drop the checkpoint of an interruption the completed run recovered from."""
    if stop is not None:
        raise RunInterrupted(interruption_message(experiment, run_dir, stop, trainer), stop.exit_status)
    if trainer.is_global_zero:
        finish_checkpoints(run_dir)
