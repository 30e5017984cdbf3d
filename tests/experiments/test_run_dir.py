"""Run directories: unique even when processes race, never reused, and results never half-written."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os

import pytest

from src.cli import main
from src.experiments.run_dir import create_run_dir


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
