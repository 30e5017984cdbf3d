"""Every command the program prints for the user to run works when pasted into a fresh shell in the project
directory: no activated virtual environment, only the system's PATH."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from src.cli import main
from src.shell import executable, shown_path

ROOT = Path(__file__).resolve().parents[1]
FRESH_SHELL = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root")}


def printed(text: str, prefix: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(prefix)).removeprefix(prefix).strip()


def in_fresh_shell(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=ROOT, env=FRESH_SHELL, capture_output=True, text=True)


@pytest.mark.slow
def test_the_printed_resume_and_tensorboard_commands_run(tmp_path, capsys, interrupt_at, monkeypatch):
    monkeypatch.chdir(ROOT)
    interrupt_at(150)
    assert main(["lms", "--epochs", "3", "--logdir", str(tmp_path), "--no-progress-bar"]) == 130
    resume = printed(capsys.readouterr().err, "resume with: ")
    done = in_fresh_shell(resume + " --no-progress-bar")
    assert done.returncode == 0, done.stderr[-2000:]
    tensorboard = printed(done.stdout, "TensorBoard:")
    done = in_fresh_shell(tensorboard + " --help")
    assert done.returncode == 0 and "--logdir" in done.stdout, done.stderr[-2000:]


def test_paths_are_shown_relative_to_the_working_directory_when_inside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert shown_path(tmp_path / "runs" / "lms") == "runs/lms"
    assert shown_path(Path("/elsewhere/x")) == "/elsewhere/x"


def test_a_program_is_named_by_path_unless_a_fresh_shell_finds_it(tmp_path, monkeypatch):
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    program = venv / "bin" / "tool"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    monkeypatch.setenv("PATH", f"{venv / 'bin'}{os.pathsep}/usr/bin")
    assert executable(program) == ".venv/bin/tool"  # the activated venv's bin/ is not on a fresh shell's PATH
    monkeypatch.delenv("VIRTUAL_ENV")
    assert executable(program) == "tool"  # a PATH entry of the user's own
