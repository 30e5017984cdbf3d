"""The shared run lifecycle: resolved options in config.json, what a resume logs, what a late error keeps, and
checkpoints that must match the fit they resume."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import torch
from conftest import CLASSIFY_TWICE
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

import src.experiments.lifecycle as lifecycle
from src.callbacks import CHECKPOINT_FORMAT
from src.cli import main
from src.config import Machine
from src.errors import UserError
from src.experiments.classify.config import ClassifyConfig
from src.experiments.resume import resume_or_new

QUIET = ["--no-progress-bar"]


def events_in(run_dir: Path) -> list:
    """Every event of the run directory's own event files (not its sub-runs), oldest file first."""
    files = sorted(run_dir.glob("events.out.tfevents.*"), key=lambda p: p.stat().st_mtime_ns)
    return [event for path in files for event in EventFileLoader(str(path)).Load()]


def tagged(events: list, tag: str) -> list[int]:
    """The steps at which `tag` was written, in the order written (duplicates included)."""
    return [event.step for event in events for value in event.summary.value if value.tag == tag]


def test_config_json_holds_the_values_this_run_used(tmp_path, classify_twice):
    """Regression: config.json kept 'auto' and no learning rate, so a resume on a GPU machine could switch a CPU
    run to bf16. (A copy of the session's classify run: this test rewrites its results.json.)"""
    run_dir = shutil.copytree(classify_twice / "classify" / "version_0", tmp_path / "classify" / "version_0")
    saved = json.loads((run_dir / "config.json").read_text())
    assert saved["precision"] == "32-true" and saved["lr"] == 0.002 and "resume" not in saved
    results = json.loads((run_dir / "results.json").read_text())
    assert {key: results["config"][key] for key in saved} == saved  # results.json["config"] is config.json + facts
    assert results["config"]["device"] == "cpu"

    (run_dir / "results.json").write_text(json.dumps({**results, "status": "interrupted"}))  # as if stopped
    gpu = Machine(cuda=True, bf16=True)
    requested = ClassifyConfig(resume=str(run_dir), logdir=tmp_path).resolved(gpu)
    assert requested.precision == "bf16-mixed"  # what a new run would use there
    resumed, _ = resume_or_new(requested, "classify", given=frozenset({"resume", "logdir"}))
    assert resumed.precision == "32-true" and resumed.lr == 0.002  # the run keeps what it was trained with


def test_a_resumed_run_logs_what_an_uninterrupted_one_logs(tmp_path, interrupt_at, classify_twice):
    """Regression: on resume, on_fit_start saw epoch 0 and logged the trained weights again as the step-0
    histograms, and model/params a second time; and epoch metrics landed one step later than without the
    interruption."""
    interrupt_at(30, signal.SIGINT)  # epoch 2 of 2 (23 steps per epoch)
    assert main([*CLASSIFY_TWICE, "--logdir", str(tmp_path), *QUIET]) == 130
    run_dir = tmp_path / "classify" / "version_0"
    assert main(["classify", "--resume", str(run_dir), "--logdir", str(tmp_path), *QUIET]) == 0
    resumed, uninterrupted = events_in(run_dir), events_in(classify_twice / "classify" / "version_0")
    assert tagged(resumed, "model/params") == tagged(uninterrupted, "model/params") == [0]
    for tag in ("model/macs", "weights/conv1", "weights/fc2.bias", "train/loss", "val/acc", "train/lr"):
        assert tagged(resumed, tag) == tagged(uninterrupted, tag), tag


def _fail_writing(*args, **kwargs):
    raise UserError("cannot write results.json: No space left on device")


def test_a_late_error_keeps_a_run_without_checkpoints(tmp_path, capsys, monkeypatch):
    """Regression: a user error after training (a full disk, say) deleted a run directory without checkpoints,
    with its events and figures (simplenn; an LMS run whose every rate diverged)."""
    monkeypatch.setattr(lifecycle, "write_results", _fail_writing)
    assert main(["simplenn", "--epochs", "1", "--logdir", str(tmp_path), *QUIET]) == 2
    assert "No space left on device" in capsys.readouterr().err
    run_dir = tmp_path / "simplenn" / "version_0"
    assert (run_dir / "figures" / "init_comparison.png").is_file()
    assert list((run_dir / "train_default_init").glob("events.out.tfevents.*"))

    assert main(["lms-sweep", "--lrs", "5,10", "--epochs", "3", "--logdir", str(tmp_path), *QUIET]) == 2
    run_dir = tmp_path / "lms-sweep" / "version_0"
    assert (run_dir / "figures" / "mse_vs_epoch.png").is_file() and list(run_dir.glob("events.out.tfevents.*"))


def test_an_error_before_training_leaves_no_run_directory(tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise UserError("--accelerator cpu --devices 1 --precision 64-true: refused")

    monkeypatch.setattr("src.experiments.lms.fit.build_trainer", refuse)
    assert main(["lms", "--epochs", "1", "--logdir", str(tmp_path), *QUIET]) == 2
    assert "refused" in capsys.readouterr().err
    assert not list(tmp_path.glob("lms/version_*"))


def _interrupted_lms_run(tmp_path, interrupt_at) -> Path:
    interrupt_at(150)
    assert main(["lms", "--epochs", "3", "--logdir", str(tmp_path), *QUIET]) == 130
    return tmp_path / "lms" / "version_0" / "checkpoints" / "interrupted.ckpt"


def _rewrite(path: Path, change) -> None:
    checkpoint = torch.load(path, weights_only=True)
    change(checkpoint)
    torch.save(checkpoint, path)


def _resume_error(tmp_path, capsys, path: Path) -> str:
    assert main(["lms", "--resume", str(path), "--logdir", str(tmp_path), *QUIET]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err
    return err


def test_a_checkpoint_missing_a_section_is_refused(tmp_path, capsys, interrupt_at):
    path = _interrupted_lms_run(tmp_path, interrupt_at)
    capsys.readouterr()
    _rewrite(path, lambda checkpoint: checkpoint["callbacks"].pop("epoch_mse"))
    assert "incomplete checkpoint: no epoch_mse section" in _resume_error(tmp_path, capsys, path)


def test_a_checkpoint_with_a_foreign_section_is_refused(tmp_path, capsys, interrupt_at):
    """A section this fit does not write (e.g. a callback renamed or removed since) is an error, not a skip."""
    path = _interrupted_lms_run(tmp_path, interrupt_at)
    capsys.readouterr()

    def add_section(checkpoint: dict) -> None:
        checkpoint["callbacks"]["renamed_callback"] = {"x": 1}
        checkpoint["callbacks"]["run"]["sections"].append("renamed_callback")

    _rewrite(path, add_section)
    message = _resume_error(tmp_path, capsys, path)
    assert "the checkpoint does not match this run's training (unknown renamed_callback)" in message


def test_checkpoint_formats_are_checked(tmp_path, capsys, interrupt_at):
    path = _interrupted_lms_run(tmp_path, interrupt_at)
    capsys.readouterr()
    _rewrite(path, lambda checkpoint: checkpoint["callbacks"]["run"].update(format=CHECKPOINT_FORMAT + 1))
    assert f"checkpoint format {CHECKPOINT_FORMAT + 1}; this version reads {CHECKPOINT_FORMAT}" in _resume_error(
        tmp_path, capsys, path
    )

    def as_format_1(checkpoint: dict) -> None:
        checkpoint["callbacks"]["RunState"] = {"experiment": "lms"}
        del checkpoint["callbacks"]["run"]

    _rewrite(path, lambda checkpoint: checkpoint["callbacks"]["run"].update(format=2))  # before options were kept
    assert "written by an earlier version of this project (checkpoint format 2)" in _resume_error(
        tmp_path, capsys, path
    )
    _rewrite(path, lambda checkpoint: checkpoint["callbacks"]["run"].update(format=CHECKPOINT_FORMAT, options=None))
    assert "incomplete checkpoint: no options of the run" in _resume_error(tmp_path, capsys, path)

    _rewrite(path, as_format_1)
    assert "written by an earlier version of this project (checkpoint format 1)" in _resume_error(
        tmp_path, capsys, path
    )


def test_an_option_from_a_config_file_is_checked_against_the_resumed_run(tmp_path, capsys, interrupt_at):
    _interrupted_lms_run(tmp_path, interrupt_at)
    (tmp_path / "run.yaml").write_text("lr: 0.1\n")
    argv = ["lms", "--resume", "last", "--config", str(tmp_path / "run.yaml"), "--logdir", str(tmp_path), *QUIET]
    assert main(argv) == 2
    assert "--lr: 0.1 differs from the run being resumed (0.005)" in capsys.readouterr().err


def test_a_resumed_runs_saved_options_must_run_on_this_machine(tmp_path, capsys, interrupt_at):
    """The saved options are resolved here too: a run saved for a GPU is not handed to Lightning on a CPU."""
    _interrupted_lms_run(tmp_path, interrupt_at)
    capsys.readouterr()
    config = tmp_path / "lms" / "version_0" / "config.json"
    config.write_text(json.dumps(json.loads(config.read_text()) | {"accelerator": "gpu"}))
    assert main(["lms", "--resume", "last", "--logdir", str(tmp_path), *QUIET]) == 2
    assert "its saved option --accelerator gpu: no CUDA GPU was found on this machine" in capsys.readouterr().err
    assert main(["lms", "--resume", "last", "--accelerator", "cpu", "--logdir", str(tmp_path), *QUIET]) == 0


def test_a_completed_run_is_not_resumed(tmp_path, capsys):
    """Resuming a finished run used to rewrite its results (losing what only the first process measured)."""
    assert main(["resnet", "--iterations", "2", "--logdir", str(tmp_path), *QUIET]) == 0
    run_dir = tmp_path / "resnet" / "version_0"
    before = (run_dir / "results.json").read_text()
    for spec in ("last", str(run_dir), str(run_dir / "checkpoints" / "last.ckpt")):
        assert main(["resnet", "--resume", spec, "--logdir", str(tmp_path), *QUIET]) == 2
        assert f"{run_dir} has completed (results.json): nothing to resume" in capsys.readouterr().err
    assert (run_dir / "results.json").read_text() == before
