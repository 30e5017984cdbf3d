"""Every option of every command, given a bad value or an incompatible partner: one line, exit 2, no run."""

from __future__ import annotations

import pytest

from src.cli import main

CASES = [
    # options every command has
    (["lms", "--seed", "-1"], "argument --seed: must be in 0 .. 2**32 - 1, got -1"),
    (["classify", "--seed", str(2**32)], "argument --seed: must be in 0 .. 2**32 - 1"),
    (["simplenn", "--seed", "x"], "argument --seed: expected a whole number, got 'x'"),
    (["lms-sweep", "--accelerator", "tpu"], "argument --accelerator: invalid choice: 'tpu'"),
    (["lms", "--accelerator", "gpu"], "--accelerator gpu --devices 1 --precision 64-true"),  # no GPU here
    (["study", "--data-dir", "{tmp}/none"], "--data-dir {tmp}/none: no such directory"),
    (["study", "--data", "{tmp}/none.mat"], "{tmp}/none.mat: no such file"),
    (["lms", "--logdir", "{tmp}/a-file"], "--logdir {tmp}/a-file: cannot create"),
    (["lms", "--bogus"], "unrecognized arguments: --bogus"),
    (["lms", "--epo", "3"], "unrecognized arguments: --epo 3"),  # no abbreviations: an option is what it says
    (["frobnicate"], "unrecognized arguments: frobnicate"),
    # LMS
    (["lms", "--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
    (["lms-sweep", "--epochs", "two"], "argument --epochs: expected a whole number, got 'two'"),
    (["lms", "--lr", "0"], "argument --lr: must be a finite number > 0, got '0'"),
    (["lms", "--lr", "inf"], "argument --lr: must be a finite number > 0, got 'inf'"),
    (["lms-sweep", "--lrs", ""], "argument --lrs: expected comma-separated finite numbers, got ''"),
    (["lms-sweep", "--lrs", "0.1,0.1"], "--lrs: each rate may appear once"),
    (["lms-sweep", "--lrs", "0.1,nan"], "argument --lrs: expected comma-separated finite numbers"),
    (["lms", "--w0", "1,inf,2"], "argument --w0: expected comma-separated finite numbers"),
    (["lms", "--w0", "1,2"], "--w0: 1, 2 has 2 values but"),
    (["lms", "--precision", "bf16-mixed"], "--precision: LMS runs in 64-true (default) or 32-true"),
    (["lms", "--devices", "2"], "--devices: LMS is sequential"),
    (["lms", "--lrs", "0.1"], "unrecognized arguments: --lrs 0.1"),  # one rate: --lr
    (["lms-sweep", "--lr", "0.1"], "unrecognized arguments: --lr 0.1"),  # several: --lrs
    (["lms", "--resume", "{tmp}/none"], "--resume {tmp}/none: no such run directory or checkpoint file"),
    # image commands
    (["classify", "--epochs", "0"], "argument --epochs: must be at least 1"),
    (["classify", "--batch-size", "-5"], "argument --batch-size: must be at least 1, got -5"),
    (["classify", "--optimizer", "rmsprop"], "argument --optimizer: invalid choice: 'rmsprop'"),
    (["classify", "--lr", "-0.1"], "argument --lr: must be a finite number > 0"),
    (["classify", "--momentum", "1.5"], "--momentum: must be in [0, 1), got 1.5"),
    (["classify", "--weight-decay", "-1"], "argument --weight-decay: must be a finite number >= 0"),
    (["classify", "--lr-decay", "linear"], "argument --lr-decay: invalid choice: 'linear'"),
    (["classify", "--num-workers", "-1"], "argument --num-workers: must be >= 0"),
    (["classify", "--grad-every", "0"], "argument --grad-every: must be at least 1"),
    (["classify", "--weight-every", "0"], "argument --weight-every: must be at least 1"),
    (["classify", "--devices", "0"], "--devices: a whole number >= 1 or 'auto', got '0'"),
    (["classify", "--devices", "-1"], "--devices: a whole number >= 1 or 'auto', got '-1'"),
    (["classify", "--strategy", "fsdp"], "argument --strategy: invalid choice: 'fsdp'"),
    (["classify", "--num-nodes", "0"], "argument --num-nodes: must be at least 1"),
    (["classify", "--num-nodes", "2"], "--num-nodes 2: run on every node with MASTER_ADDR, MASTER_PORT and NODE_RANK"),
    (["classify", "--precision", "8-bit"], "argument --precision: invalid choice: '8-bit'"),
    (
        ["classify", "--precision", "16-mixed", "--accelerator", "cpu"],
        "--precision 16-mixed: float16 mixed precision needs a CUDA GPU",
    ),
    (["classify", "--data-dir", "{tmp}/a-file"], "--data-dir {tmp}/a-file: no such directory"),
    (["simplenn", "--resume", "last"], "unrecognized arguments: --resume last"),  # an analysis, not resumable
    (["study", "--epochs", "5"], "unrecognized arguments: --epochs 5"),  # each part keeps its defaults
]


@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_option(tmp_path, capsys, monkeypatch, argv, expected):
    for variable in ("MASTER_ADDR", "SLURM_JOB_ID", "TORCHELASTIC_RUN_ID"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "a-file").write_text("not a directory")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    logdir = ["--logdir", str(tmp_path / "runs")] if "--logdir" not in argv and argv[0] != "frobnicate" else []
    status = main([*argv, *logdir, "--no-progress-bar"] if argv[0] != "frobnicate" else argv)
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    assert expected.replace("{tmp}", str(tmp_path)) in err
    assert not list((tmp_path / "runs").glob("*/version_*"))


def test_every_option_of_every_command_is_covered():
    """The table above names each option of each command at least once."""
    from src.cli import build_parser

    parser = build_parser()
    named = {token for argv, _ in CASES for token in argv if token.startswith("--")}
    covered_elsewhere = {
        "--help",
        "--no-progress-bar",
        "--shuffle",
        "--augment",
        "--channels-last",
        "--no-channels-last",
        "--compile",
        "--deterministic",
    }  # flags: no bad value to give
    for command, sub in parser._subparsers._group_actions[0].choices.items():
        options = {o for action in sub._actions for o in action.option_strings if o.startswith("--")}
        missing = options - named - covered_elsewhere
        assert not missing, f"{command}: {sorted(missing)}"
