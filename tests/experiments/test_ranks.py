"""Which process is rank zero, read from the launcher's environment the way Lightning reads it."""

from __future__ import annotations

import pytest

from src.experiments.ranks import is_rank_zero, say
from src.experiments.run_dir import run_directory

LAUNCH_VARIABLES = ("RANK", "LOCAL_RANK", "NODE_RANK", "GROUP_RANK", "SLURM_NTASKS", "SLURM_PROCID", "SLURM_JOB_NAME")


@pytest.fixture
def environment(monkeypatch):
    for name in (*LAUNCH_VARIABLES, "TORCHELASTIC_RUN_ID", "CLASSIC_DL_RUN_DIR"):
        monkeypatch.delenv(name, raising=False)

    def set_to(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_to


def test_under_slurm_only_task_zero_is_rank_zero(environment, tmp_path, capsys):
    """Regression: under `srun` every task used to believe it was rank 0 (only RANK/NODE_RANK/LOCAL_RANK were
    read): N run directories and N console outputs."""
    environment(SLURM_NTASKS="4", SLURM_NTASKS_PER_NODE="4", SLURM_JOB_NAME="train", SLURM_PROCID="2")
    environment(SLURM_LOCALID="2", SLURM_NODEID="0")
    assert not is_rank_zero()
    say("only rank zero prints")
    assert capsys.readouterr().out == ""
    with run_directory(tmp_path / "runs", "classify") as directory:
        assert not directory.created
    assert not (tmp_path / "runs").exists()
    environment(SLURM_PROCID="0", SLURM_LOCALID="0")
    assert is_rank_zero()


def test_torchrun_ranks(environment):
    environment(TORCHELASTIC_RUN_ID="x", RANK="1", LOCAL_RANK="1", WORLD_SIZE="2", GROUP_RANK="0")
    assert not is_rank_zero()
    environment(RANK="0", LOCAL_RANK="0")
    assert is_rank_zero()


@pytest.mark.parametrize(
    ("values", "zero"),
    [
        ({}, True),
        ({"LOCAL_RANK": "1"}, False),
        ({"NODE_RANK": "1"}, False),
        ({"NODE_RANK": "0", "LOCAL_RANK": "0"}, True),
    ],
)
def test_lightnings_own_launcher_and_manual_multi_node(environment, values, zero):
    environment(**values)
    assert is_rank_zero() is zero
