"""Run directories: unique even when processes race, never reused, and results never half-written."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import signal
from pathlib import Path

import pytest
from pytorch_lightning.callbacks import Callback

import src.experiments.run_context as run_context
from src.cli import main
from src.errors import UserError
from src.experiments.run_dir import LOCK_FILE, create_run_dir, run_lock


def _create_many(logdir: str, start, count: int, out) -> None:
    start.wait()  # every process starts creating at the same moment
    out.put([str(create_run_dir(logdir, "race")) for _ in range(count)])


def test_two_processes_starting_at_once_get_distinct_directories(tmp_path):
    context = multiprocessing.get_context("fork")
    start, out = context.Event(), context.Queue()
    workers = [context.Process(target=_create_many, args=(str(tmp_path), start, 25, out)) for _ in range(2)]
    for worker in workers:
        worker.start()
    start.set()
    created = [path for _ in workers for path in out.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=60)
    assert len(created) == 50 and len(set(created)) == 50
    assert sorted(p.name for p in (tmp_path / "race").iterdir()) == sorted(f"version_{i}" for i in range(50))


def test_an_existing_run_is_never_written_into(tmp_path):
    assert main(["lms", "--epochs", "1", "--logdir", str(tmp_path), "--no-progress-bar"]) == 0
    first = tmp_path / "lms" / "version_0"
    before = {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file()}
    assert main(["lms", "--epochs", "1", "--logdir", str(tmp_path), "--no-progress-bar"]) == 0
    assert (tmp_path / "lms" / "version_1" / "results.json").is_file()
    assert {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file()} == before


def test_a_full_disk_while_writing_results_leaves_no_half_written_file(tmp_path, capsys, monkeypatch):
    real_fsync = os.fsync

    def full_disk(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(f"results.json.{os.getpid()}.tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    status = main(["lms", "--epochs", "1", "--logdir", str(tmp_path), "--no-progress-bar"])
    err = capsys.readouterr().err.strip()
    assert status == 2
    run_dir = tmp_path / "lms" / "version_0"
    assert err == f"error: cannot write {run_dir / 'results.json'}: No space left on device"
    assert not (run_dir / "results.json").exists() and not (run_dir / "report.md").exists()
    assert not list(run_dir.glob(".*.tmp"))  # no temporary file left behind
    assert (run_dir / "checkpoints" / "last.ckpt").is_file()  # the trained state is kept


def test_results_are_replaced_atomically(tmp_path):
    from src.atomic import write_results

    write_results(tmp_path, {"a": 1}, "first")
    write_results(tmp_path, {"a": 2}, "second")
    assert json.loads((tmp_path / "results.json").read_text()) == {"a": 2}
    assert (tmp_path / "report.md").read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "results.json"]


def test_write_atomic_refuses_nan(tmp_path):
    from src.atomic import write_results

    with pytest.raises(ValueError):
        write_results(tmp_path, {"a": float("nan")}, "x")
    assert not (tmp_path / "results.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_log_directory(tmp_path, capsys):
    tmp_path.chmod(0o500)
    try:
        assert main(["lms", "--epochs", "1", "--logdir", str(tmp_path / "runs"), "--no-progress-bar"]) == 2
    finally:
        tmp_path.chmod(0o700)
    assert "error: --logdir" in capsys.readouterr().err


def interrupted_lms_run(logdir: Path) -> Path:
    assert main(["lms", "--epochs", "1", "--logdir", str(logdir), "--no-progress-bar"]) == 0
    run_dir = logdir / "lms" / "version_0"
    results = json.loads((run_dir / "results.json").read_text())
    (run_dir / "results.json").write_text(json.dumps({**results, "status": "interrupted"}))  # as if stopped
    return run_dir


def _hold_lock(run_dir: str, held, release) -> None:
    with run_lock(Path(run_dir)):
        held.set()
        release.wait(60)


def _lockable(run_dir: str, out) -> None:
    try:
        with run_lock(Path(run_dir)):
            out.put("free")
    except UserError as exc:
        out.put(str(exc))


def lockable_from_another_process(run_dir: Path) -> str:
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    process = context.Process(target=_lockable, args=(str(run_dir), out))
    process.start()
    answer = out.get(timeout=30)
    process.join(timeout=30)
    return answer


def test_a_run_another_process_holds_is_not_resumed_and_a_dead_holder_holds_nothing(tmp_path, capsys):
    run_dir = interrupted_lms_run(tmp_path)
    capsys.readouterr()
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(run_dir), held, release))
    holder.start()
    assert held.wait(30)
    before = (run_dir / "results.json").read_text()
    argv = ["lms", "--resume", str(run_dir), "--logdir", str(tmp_path), "--no-progress-bar"]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"error: {run_dir} is in use: another process (pid {holder.pid}) is training it; wait for it to end (or "
        "stop it), then resume\n"
    )
    assert (run_dir / "results.json").read_text() == before  # nothing written
    os.kill(holder.pid, signal.SIGKILL)  # dies holding the lock, without a chance to clean up
    holder.join(timeout=30)
    assert (run_dir / LOCK_FILE).read_text() == f"{holder.pid}\n"  # its file is still there, its lock is not
    assert main(argv) == 0
    assert json.loads((run_dir / "results.json").read_text())["status"] == "completed"
    assert lockable_from_another_process(run_dir) == "free"  # released when the resumed run ended


def test_the_lock_is_released_however_the_block_ends(tmp_path):
    with pytest.raises(RuntimeError), run_lock(tmp_path):
        assert lockable_from_another_process(tmp_path).startswith(f"{tmp_path} is in use: another process (pid ")
        with pytest.raises(UserError, match="is in use"), run_lock(tmp_path):  # even a second open in this process
            pass
        raise RuntimeError("a bug in the run")
    assert lockable_from_another_process(tmp_path) == "free"


class LockProbe(Callback):
    """Tries to take the run directory's lock while the run trains."""

    def on_train_start(self, trainer, pl_module) -> None:
        try:
            with run_lock(Path(trainer.default_root_dir)):
                self.answer = "free"
        except UserError as exc:
            self.answer = str(exc)


def test_a_new_run_holds_its_lock_while_it_trains(tmp_path, monkeypatch):
    probe, original = LockProbe(), run_context.checkpoint_callbacks
    monkeypatch.setattr(run_context, "checkpoint_callbacks", lambda *a, **k: [*original(*a, **k), probe])
    assert main(["lms", "--epochs", "1", "--logdir", str(tmp_path), "--no-progress-bar"]) == 0
    run_dir = tmp_path / "lms" / "version_0"
    assert probe.answer == f"{run_dir} is in use: another process (pid {os.getpid()}) is training it; " + (
        "wait for it to end (or stop it), then resume"
    )
