"""Multi-process training: a real 2-process DDP run (CPU, gloo) through the CLI, against one process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from src.cli import main
from src.experiments.ranks import RUN_DIR_ENV
from src.experiments.run_dir import run_directory

ROOT = Path(__file__).resolve().parents[2]
EPOCHS = "4"


@pytest.mark.slow  # two processes and a one-process baseline: 15 s of the 2-minute default run
def test_two_process_ddp_matches_one_process(tmp_path):
    # `--strategy ddp` launches the second process by re-running this very command, so run it as a user would.
    command = [sys.executable, "scripts/train.py", "classify", "--devices", "2", "--strategy", "ddp"]
    command += ["--accelerator", "cpu", "--epochs", EPOCHS, "--logdir", str(tmp_path / "ddp"), "--no-progress-bar"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert done.stdout.count("run directory:") == 1  # the other rank trains but does not report
    assert done.stdout.count("conv1  Conv2d") == 1  # the layer summary is printed once

    (run_dir,) = list((tmp_path / "ddp").glob("*/*"))  # one directory for both processes
    results = json.loads((run_dir / "results.json").read_text())
    accumulator = EventAccumulator(str(run_dir), size_guidance={"scalars": 0})
    accumulator.Reload()
    assert [e.step for e in accumulator.Scalars("val/acc")] == sorted({e.step for e in accumulator.Scalars("val/acc")})
    assert len(accumulator.Scalars("val/acc")) == int(EPOCHS)  # logged once per epoch, not once per process

    assert main(["classify", "--epochs", EPOCHS, "--logdir", str(tmp_path / "one"), "--no-progress-bar"]) == 0
    single = json.loads(next((tmp_path / "one").glob("*/*/results.json")).read_text())
    ddp_acc, one_acc = results["best_val"]["acc"], single["best_val"]["acc"]
    # Two processes see each image once per epoch with twice the effective batch: half the steps.
    assert ddp_acc >= 0.85 and one_acc >= 0.9
    assert abs(ddp_acc - one_acc) <= 0.1


def test_other_ranks_reuse_rank_zeros_directory(tmp_path, monkeypatch):
    shared = tmp_path / "runs" / "classify" / "version_7"
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv(RUN_DIR_ENV, str(shared))
    with run_directory(tmp_path / "runs", "classify") as directory:
        assert directory.path == shared
    assert not (tmp_path / "runs").exists()  # rank 1 creates nothing


def test_other_ranks_of_a_resumed_run_use_its_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv(RUN_DIR_ENV, str(tmp_path / "elsewhere"))
    resumed = tmp_path / "runs" / "classify" / "version_2"
    with run_directory(tmp_path / "runs", "classify", existing=resumed) as directory:
        assert directory.path == resumed and not directory.created


def test_rank_zero_publishes_its_directory_for_the_processes_it_launches(tmp_path, monkeypatch):
    monkeypatch.delenv(RUN_DIR_ENV, raising=False)
    import os

    with run_directory(tmp_path / "runs", "classify") as directory:
        assert os.environ[RUN_DIR_ENV] == str(directory.path) and directory.path.is_dir()
    assert RUN_DIR_ENV not in os.environ


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["classify", "--strategy", "ddp_spawn"], "--strategy: one of auto, ddp, got 'ddp_spawn'"),
        (["classify", "--num-nodes", "0"], "--num-nodes: must be at least 1"),
        (["lms", "--devices", "2"], "LMS is sequential"),
    ],
)
def test_distributed_options_are_validated(tmp_path, capsys, argv, expected):
    assert main([*argv, "--logdir", str(tmp_path)]) == 2
    assert expected in capsys.readouterr().err


@pytest.mark.slow
def test_two_process_ddp_side_by_side_with_a_diverging_variant(tmp_path):
    """A variant frozen mid-fit takes no part in the next steps: DDP must not wait for its gradients."""
    from helpers import cifar_arrays, write_cifar_py

    write_cifar_py(tmp_path, cifar_arrays(per_batch=20, seed=3))
    command = [sys.executable, "scripts/train.py", "pipeline", "--devices", "2", "--strategy", "ddp"]
    command += ["--accelerator", "cpu", "--epochs", "3", "--variants", "lr", "--lrs", "1e6,0.05", "--batch-size", "8"]
    command += ["--data-dir", str(tmp_path), "--logdir", str(tmp_path / "ddp"), "--no-progress-bar"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("run directory:") == 1
    (run_dir,) = list((tmp_path / "ddp").glob("*/*"))
    variants = {v["name"]: v for v in json.loads((run_dir / "results.json").read_text())["variants"]}
    assert variants["aug_bn_lr=1000000.0_wd=0.0001"]["diverged_epoch"] == 1
    assert [row["epoch"] for row in variants["aug_bn_lr=0.05_wd=0.0001"]["history"]] == [0, 1, 2, 3]
