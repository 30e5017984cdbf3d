"""Reading a checkpoint file of this project: safely (no code in it can run), and only when it fits.

A checkpoint is accepted when torch.load(weights_only=True) reads it, its `run` section (see
src/callbacks/checkpointing.py) has this version's format and names the experiment being resumed, every
section it lists is present, and those sections are exactly the ones the fit being resumed writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from pytorch_lightning.callbacks import Callback

from src.callbacks.checkpointing import CHECKPOINT_FORMAT, RunState, stateful_sections
from src.errors import UserError
from src.internals import GLOBAL_STEP, callback_sections


@dataclass(frozen=True)
class CheckpointInfo:
    path: Path
    global_step: int
    sections: tuple[str, ...]
    options: dict[str, Any]  # the run's options as it trained (as config.json was written)


def earlier_version(path: Path, found: int) -> UserError:
    return UserError(
        f"{path}: written by an earlier version of this project (checkpoint format {found}); this version "
        f"reads format {CHECKPOINT_FORMAT} and cannot resume it: start a new run"
    )


def read_checkpoint(path: Path, experiment: str) -> CheckpointInfo:
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a torch.load failure has many types: all mean "not a checkpoint we accept"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: not a loadable checkpoint of this project ({first})") from None
    if not isinstance(checkpoint, dict):
        raise UserError(f"{path}: not a Lightning checkpoint")
    sections = callback_sections(checkpoint)
    run = sections.get(RunState.STATE_KEY)
    if not isinstance(run, dict):
        if "RunState" in sections:
            raise earlier_version(path, 1)
        raise UserError(f"{path}: not a checkpoint written by this project (no run identity)")
    found = run.get("format")
    if isinstance(found, int) and 1 < found < CHECKPOINT_FORMAT:
        raise earlier_version(path, found)
    if found != CHECKPOINT_FORMAT:
        raise UserError(f"{path}: checkpoint format {found!r}; this version reads {CHECKPOINT_FORMAT}")
    if run.get("experiment") != experiment:
        raise UserError(f"--resume {path}: the checkpoint is from a '{run.get('experiment')}' run, not '{experiment}'")
    listed = tuple(run.get("sections", ()))
    missing = [name for name in listed if name not in sections]
    if missing:
        raise UserError(f"{path}: incomplete checkpoint: no {', '.join(missing)} section")
    options = run.get("options")
    if not isinstance(options, dict):
        raise UserError(f"{path}: incomplete checkpoint: no options of the run")
    return CheckpointInfo(
        path=Path(path),
        global_step=int(checkpoint.get(GLOBAL_STEP, 0)),
        sections=listed,
        options=options,
    )


def verify_sections(info: CheckpointInfo, callbacks: list[Callback]) -> None:
    """The checkpoint holds exactly the sections the fit to resume writes: none missing, none foreign."""
    expected = stateful_sections(callbacks)
    missing = sorted(set(expected) - set(info.sections))
    foreign = sorted(set(info.sections) - set(expected))
    problems = [
        f"no {', '.join(missing)} section" if missing else "",
        f"unknown {', '.join(foreign)}" if foreign else "",
    ]
    if missing or foreign:
        raise UserError(
            f"--resume {info.path}: the checkpoint does not match this run's training "
            f"({'; '.join(p for p in problems if p)}): it was written by a different version of the code"
        )
