"""Interrupted runs (a real SIGINT/SIGTERM at a chosen step) resume to exactly the uninterrupted result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from src.callbacks import CHECKPOINT_FORMAT
from src.cli import main
from src.config import to_json
from src.errors import UserError
from src.experiments.lm.config import LMConfig
from src.experiments.resume import resumed_config
from src.shell import train_command

ROOT = Path(__file__).resolve().parents[2]
QUIET = ["--no-progress-bar"]


def results(run_dir: Path) -> dict:
    data = json.loads((run_dir / "results.json").read_text())
    data.pop("meta")
    return data


def same_checkpoint_state(a: Path, b: Path) -> bool:
    first, second = (torch.load(p, weights_only=True) for p in (a, b))
    weights = all(torch.equal(first["state_dict"][k], second["state_dict"][k]) for k in first["state_dict"])
    states = [
        (x["state"], y["state"]) for x, y in zip(first["optimizer_states"], second["optimizer_states"], strict=True)
    ]
    optimizer = all(
        torch.equal(u, v) if isinstance(u, torch.Tensor) else u == v
        for s1, s2 in states
        for p in s1
        for u, v in zip(s1[p].values(), s2[p].values(), strict=True)
    )
    return weights and optimizer and first["global_step"] == second["global_step"]


@pytest.mark.parametrize(
    ("argv", "step"),
    [
        (["lms", "--lr", "0.05", "--epochs", "3"], 150),  # mid-epoch 2, in file order
        (["lms-sweep", "--shuffle", "--seed", "3", "--epochs", "4"], 237),  # mid-epoch, seeded shuffle
        (["lms-sweep", "--epochs", "3"], 200),  # exactly at an epoch boundary
    ],
    ids=["single-rate", "sweep-shuffled", "sweep-epoch-boundary"],
)
def test_lms_resumes_bit_identically(tmp_path, capsys, interrupt_at, argv, step):
    logdir = tmp_path / "runs"
    experiment = argv[0]
    assert main([*argv, "--logdir", str(logdir), *QUIET]) == 0  # version_0: uninterrupted

    interrupt_at(step)
    assert main([*argv, "--logdir", str(logdir), *QUIET]) == 130  # version_1: SIGINT
    err = capsys.readouterr().err
    run_dir = logdir / experiment / "version_1"
    assert f"resume with: {train_command(experiment, '--resume', run_dir)}" in err
    partial = json.loads((run_dir / "results.json").read_text())
    assert partial["status"] == "interrupted" and partial["meta"]["interrupted"]["signal"] == "SIGINT"
    assert partial["meta"]["interrupted"]["global_step"] == step
    assert len(partial["runs"][0]["mse"]) == step // 100 + 1  # epochs completed so far, plus epoch 0
    assert (run_dir / "checkpoints" / "interrupted.ckpt").is_file()
    assert "report.md" in os.listdir(run_dir)

    assert main([experiment, "--resume", "last", "--logdir", str(logdir), *QUIET]) == 0
    assert results(run_dir) == results(logdir / experiment / "version_0")
    assert same_checkpoint_state(
        run_dir / "checkpoints/last.ckpt", logdir / experiment / "version_0/checkpoints/last.ckpt"
    )
    assert not (run_dir / "checkpoints" / "interrupted.ckpt").exists()  # a completed run keeps no stale state
    assert sorted(p.name for p in (logdir / experiment).iterdir()) == ["version_0", "version_1"]  # no new run


def test_classification_resumes_bit_identically_after_sigterm(tmp_path, capsys, interrupt_at):
    logdir = tmp_path / "runs"
    argv = ["classify", "--epochs", "3", "--augment", "--seed", "5", "--logdir", str(logdir), *QUIET]
    assert main(argv) == 0
    interrupt_at(35, signal.SIGTERM)  # epoch 2 of 3 (23 steps per epoch), batch 12
    assert main(argv) == 143
    run_dir = logdir / "classify" / "version_1"
    partial = json.loads((run_dir / "results.json").read_text())
    assert partial["status"] == "interrupted" and partial["test"] is None and len(partial["history"]) == 1
    assert "**Interrupted** by SIGTERM after 1 of 3 epochs" in (run_dir / "report.md").read_text()

    assert main(["classify", "--resume", str(run_dir), "--logdir", str(logdir), *QUIET]) == 0
    assert results(run_dir) == results(logdir / "classify" / "version_0")  # history, test of the best epoch, ...
    assert same_checkpoint_state(run_dir / "checkpoints/last.ckpt", logdir / "classify/version_0/checkpoints/last.ckpt")
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == ["best.ckpt", "last.ckpt"]
    assert same_checkpoint_state(run_dir / "checkpoints/best.ckpt", logdir / "classify/version_0/checkpoints/best.ckpt")


@pytest.mark.slow
def test_a_real_signal_from_outside(tmp_path):
    """SIGINT from another process, at whatever step it lands, then --resume: still the uninterrupted result."""
    logdir = tmp_path / "runs"
    command = [sys.executable, "scripts/train.py", "lms-sweep", "--epochs", "200", "--logdir", str(logdir), *QUIET]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run_dir = logdir / "lms-sweep" / "version_0"
    deadline = time.time() + 120
    while not (run_dir / "hparams.yaml").exists():  # the fit has started
        assert process.poll() is None and time.time() < deadline, process.communicate()
        time.sleep(0.05)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err[-2000:]
    assert "Traceback" not in err and "resume with:" in err
    assert json.loads((run_dir / "results.json").read_text())["status"] == "interrupted"

    resumed = subprocess.run(
        [sys.executable, "scripts/train.py", "lms-sweep", "--resume", "last", "--logdir", str(logdir), *QUIET],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert main(["lms-sweep", "--epochs", "200", "--logdir", str(logdir), *QUIET]) == 0  # version_1: uninterrupted
    assert results(run_dir) == results(logdir / "lms-sweep" / "version_1")


def _bad(capsys, argv) -> str:
    assert main([*argv, *QUIET]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err
    return err


def test_resume_errors(tmp_path, capsys):
    logdir = tmp_path / "runs"
    assert "no lms run under" in _bad(capsys, ["lms", "--resume", "last", "--logdir", str(logdir)])
    assert "no such run directory or checkpoint" in _bad(capsys, ["lms", "--resume", str(tmp_path / "x")])
    assert main(["lms", "--epochs", "1", "--logdir", str(logdir), *QUIET]) == 0
    run_dir = logdir / "lms" / "version_0"
    checkpoint = run_dir / "checkpoints" / "last.ckpt"
    message = _bad(capsys, ["classify", "--resume", str(checkpoint), "--logdir", str(logdir)])
    assert "the checkpoint is from a 'lms' run, not 'classify'" in message
    assert "has completed (results.json): nothing to resume" in _bad(
        capsys, ["lms", "--resume", "last", "--logdir", str(logdir)]
    )
    results = json.loads((run_dir / "results.json").read_text())
    (run_dir / "results.json").write_text(json.dumps({**results, "status": "interrupted"}))  # as if stopped
    message = _bad(capsys, ["lms", "--resume", "last", "--lr", "0.1", "--logdir", str(logdir)])
    assert "--lr: 0.1 differs from the run being resumed (0.005)" in message
    message = _bad(capsys, ["lms", "--resume", "last", "--shuffle", "--logdir", str(logdir)])
    assert "--shuffle: on differs from the run being resumed (off)" in message
    assert main(["lms", "--resume", "last", "--accelerator", "cpu", "--logdir", str(logdir), *QUIET]) == 0  # allowed


def test_a_checkpoint_that_would_run_code_is_refused(tmp_path, capsys):
    logdir = tmp_path / "runs"
    assert main(["lms", "--epochs", "1", "--logdir", str(logdir), *QUIET]) == 0
    checkpoint = logdir / "lms" / "version_0" / "checkpoints" / "last.ckpt"
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    torch.save({"callbacks": {"run": {"format": CHECKPOINT_FORMAT, "experiment": "lms"}}, "x": Exploit()}, checkpoint)
    message = _bad(capsys, ["lms", "--resume", str(checkpoint), "--logdir", str(logdir)])
    assert "not a loadable checkpoint of this project" in message and "Weights only load failed" in message
    assert not marker.exists()
    checkpoint.write_bytes(b"garbage")
    assert "not a loadable checkpoint" in _bad(capsys, ["lms", "--resume", str(checkpoint), "--logdir", str(logdir)])
    torch.save({"state_dict": {}}, checkpoint)  # a Lightning-ish checkpoint from elsewhere
    assert "no run identity" in _bad(capsys, ["lms", "--resume", str(checkpoint), "--logdir", str(logdir)])


def test_last_checkpoint_is_every_epochs_even_when_validation_stalls(tmp_path):
    """Lightning's save_last writes last.ckpt only when the monitored best improves; ours every epoch."""
    logdir = tmp_path / "runs"
    argv = ["classify", "--epochs", "3", "--lr", "1e-12", "--lr-decay", "none", "--logdir", str(logdir), *QUIET]
    assert main(argv) == 0  # a rate this small leaves every prediction, so val/acc, as it was after epoch 1
    run_dir = logdir / "classify" / "version_0"
    history = json.loads((run_dir / "results.json").read_text())["history"]
    assert len({row["val/acc"] for row in history}) == 1
    last, best = (torch.load(run_dir / "checkpoints" / name, weights_only=True) for name in ("last.ckpt", "best.ckpt"))
    assert last["epoch"] == 2 and last["global_step"] == 3 * 23  # the final epoch's state (23 steps per epoch)
    assert best["epoch"] == 0  # the first epoch with the best val/acc


def test_an_edited_config_json_is_refused_unless_the_option_is_adjustable(tmp_path, capsys):
    """Regression: `lr` edited in an interrupted run's config.json was taken, and reported, on resume."""
    logdir = tmp_path / "runs"
    assert main(["lms", "--epochs", "1", "--logdir", str(logdir), *QUIET]) == 0
    run_dir = logdir / "lms" / "version_0"
    results = json.loads((run_dir / "results.json").read_text())
    (run_dir / "results.json").write_text(json.dumps({**results, "status": "interrupted"}))  # as if stopped
    saved = json.loads((run_dir / "config.json").read_text())
    assert torch.load(run_dir / "checkpoints/last.ckpt", weights_only=True)["callbacks"]["run"]["options"] == saved
    (run_dir / "config.json").write_text(json.dumps({**saved, "lr": 0.5}))
    message = _bad(capsys, ["lms", "--resume", "last", "--logdir", str(logdir)])
    assert message == (
        f'error: --resume {run_dir}: {run_dir / "config.json"} has "lr": 0.5, but the run was trained with 0.005 '
        f"(its checkpoint {run_dir / 'checkpoints' / 'last.ckpt'}); put 0.005 back: a resumed run keeps its options"
    )
    (run_dir / "config.json").write_text(json.dumps({**saved, "w0": "zeros"}))  # JSON values, not shell words
    message = _bad(capsys, ["lms", "--resume", "last", "--logdir", str(logdir)])
    assert f'has "w0": "zeros", but the run was trained with {json.dumps(saved["w0"])} ' in message
    adjusted = {"progress_bar": not saved["progress_bar"], "deterministic": not saved["deterministic"]}
    (run_dir / "config.json").write_text(json.dumps({**saved, **adjusted}))
    assert main(["lms", "--resume", "last", "--logdir", str(logdir), *QUIET]) == 0  # how it runs may change
    assert json.loads((run_dir / "results.json").read_text())["config"]["lr"] == 0.005


def test_the_resume_message_shows_texts_with_commas_one_quoted_word_each(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(to_json(LMConfig())))
    requested = LMConfig(prompts=("Once, upon", "a time"), resume=str(tmp_path))
    with pytest.raises(UserError) as refused:
        resumed_config(requested, tmp_path, frozenset({"prompts", "resume"}))
    assert str(refused.value) == (
        "--prompts: 'Once, upon' 'a time' differs from the run being resumed ('To be, or not to be,' "
        "'The king is dead, and' 'Once upon a time'); a resumed run keeps its options"
    )
