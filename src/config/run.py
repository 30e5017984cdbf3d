"""Option groups every command shares: how a run is seeded, where it is written and where it runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from src.config.checks import Adjustable, InRange, Metavar, NotSaved
from src.config.options import Machine, Options
from src.errors import UserError

Accelerator = Literal["auto", "cpu", "gpu", "cuda", "mps"]


@dataclass(frozen=True)
class RunOptions(Options):
    """Options of every command"""

    seed: Annotated[int, InRange(0, 2**32 - 1, "0 .. 2**32 - 1")] = 0
    """seed for every random choice (a run is bit-identical on a CPU for a given seed)"""
    logdir: Annotated[Path, Adjustable()] = Path("runs")
    """runs go to LOGDIR/<experiment>/version_N"""
    accelerator: Annotated[Accelerator, Adjustable()] = "auto"
    """where to train: auto takes a GPU when there is one, else the CPU"""
    progress_bar: Annotated[bool, Adjustable()] = True
    """show progress while training: a bar on a terminal, one line per epoch when the output is a file or a pipe"""
    deterministic: Annotated[bool, Adjustable()] = False
    """torch's deterministic algorithms (CPU runs are bit-identical per seed anyway; this covers GPUs)"""

    def resolved(self, machine: Machine) -> RunOptions:
        resolved = super().resolved(machine)
        if self.accelerator in ("gpu", "cuda") and not machine.cuda:
            raise UserError(
                f"--accelerator {self.accelerator}: no CUDA GPU was found on this machine; use --accelerator auto "
                "(a GPU when there is one, else the CPU) or --accelerator cpu"
            )
        if self.accelerator == "mps" and not machine.mps:
            raise UserError(
                "--accelerator mps: no Apple GPU (MPS) was found on this machine; use --accelerator auto or cpu"
            )
        return resolved

    def uses_gpu(self, machine: Machine) -> bool:
        return machine.cuda and self.accelerator in ("auto", "gpu", "cuda")


@dataclass(frozen=True)
class ResumeOptions(Options):
    """Interrupting and resuming"""

    resume: Annotated[str | None, NotSaved(), Metavar("RUN")] = None
    """continue a run in its own directory: 'last' (the newest run of this command under --logdir), a run
    directory, or a checkpoint file in one; the run keeps its saved options"""
