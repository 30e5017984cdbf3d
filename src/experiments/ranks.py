"""Which process am I? Rank zero writes the run directory, results and reports and prints; the others train.

The rank comes from the launcher's environment, read the way Lightning reads it (torchrun, SLURM, LSF, MPI,
or Lightning's own launcher; see src/internals.py), so that it is known before any Trainer exists. Rank zero
creates the run directory and puts its path in the environment before the Trainer launches the other
processes of a DDP run, which inherit it (see run_dir.py for the processes a cluster starts).
"""

from __future__ import annotations

from src.internals import launched_rank

RUN_DIR_ENV = "CLASSIC_DL_RUN_DIR"


def is_rank_zero() -> bool:
    return launched_rank() == 0


def say(*args: object) -> None:
    """print, on rank zero only (the other processes of a DDP run share its terminal)."""
    if is_rank_zero():
        print(*args)
