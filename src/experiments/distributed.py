"""Which process am I? For runs that Lightning's DDP launcher starts once per device by re-running the command.

Rank zero creates the run directory and puts its path in the environment before the Trainer launches the
other processes, which inherit it: every rank then logs into the same directory, and only rank zero writes
results, reports and figures or prints summaries.
"""

from __future__ import annotations

import os

RUN_DIR_ENV = "CLASSIC_DL_RUN_DIR"


def process_rank() -> int:
    """The global rank from the launcher's environment (0 outside distributed runs)."""
    if "RANK" in os.environ:  # torchrun, SLURM wrappers
        return int(os.environ["RANK"])
    return int(os.environ.get("NODE_RANK", 0)) + int(os.environ.get("LOCAL_RANK", 0))  # 0 iff both are 0


def is_rank_zero() -> bool:
    return process_rank() == 0


def say(*args: object) -> None:
    """print, on rank zero only (the other processes of a DDP run share its terminal)."""
    if is_rank_zero():
        print(*args)
