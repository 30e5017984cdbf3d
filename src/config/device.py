"""Option group of the commands that can train on several devices and in reduced precision."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Annotated, Literal

from src.config.checks import AtLeast, DeviceCount, Metavar
from src.config.options import Machine
from src.config.run import RunOptions
from src.errors import UserError

Precision = Literal["auto", "32-true", "32", "16-mixed", "bf16-mixed", "bf16-true", "16-true", "64-true", "64"]
# "ddp" launches one process per device by re-running the command; "ddp_spawn" is not offered because its
# workers' callback state (the per-epoch history) would not come back to the process that writes the results.
Strategy = Literal["auto", "ddp"]
MULTI_NODE_ENVIRONMENT = ("MASTER_ADDR", "SLURM_JOB_ID", "TORCHELASTIC_RUN_ID")


def canonical_precision(precision: str) -> str:
    """Lightning's short aliases spelt out, as config.json stores them: '32' -> '32-true', '64' -> '64-true'."""
    return {"32": "32-true", "64": "64-true"}.get(precision, precision)


@dataclass(frozen=True)
class DeviceOptions(RunOptions):
    """Devices and precision"""

    devices: Annotated[str, DeviceCount(), Metavar("N")] = "1"
    """devices per node, or auto"""
    strategy: Strategy = "auto"
    """ddp: one process per device (and node), gradients averaged; auto picks ddp for several devices"""
    num_nodes: Annotated[int, AtLeast(1)] = 1
    """machines taking part (with ddp)"""
    precision: Precision = "auto"
    """Lightning precision; auto = bf16-mixed on a GPU with bf16, 32-true (exact) elsewhere"""

    def check(self) -> None:
        super().check()
        if self.num_nodes > 1 and not any(name in os.environ for name in MULTI_NODE_ENVIRONMENT):
            # Without them every node would wait forever for peers it cannot find.
            raise UserError(
                f"--num-nodes {self.num_nodes}: run on every node with MASTER_ADDR, MASTER_PORT and NODE_RANK set "
                "(or under SLURM or torchrun); see the README"
            )

    def resolved(self, machine: Machine) -> DeviceOptions:
        """'auto' precision: bf16 mixed precision on a GPU that has it (tensor cores), exact float32 elsewhere.

        On this project's 2-core CPU bf16-mixed + channels_last ran 2x faster than float32 + channels_last, but
        float32 stays the CPU default so that results are exact; ask for bf16-mixed explicitly there.
        """
        resolved = super().resolved(machine)
        on_gpu = self.uses_gpu(machine)
        if self.precision == "16-mixed" and not on_gpu:
            # Lightning would quietly switch to bf16-mixed; say so instead of changing what was asked for.
            raise UserError("--precision 16-mixed: float16 mixed precision needs a CUDA GPU; use bf16-mixed on a CPU")
        precision = canonical_precision(self.precision)
        if precision == "auto":
            precision = "bf16-mixed" if on_gpu and machine.bf16 else "32-true"
        return dataclasses.replace(resolved, precision=precision)
