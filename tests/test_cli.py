"""End to end through main(argv): outputs on disk, numbers against NumPy, determinism and every bad input."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from helpers import (
    cifar_arrays,
    make_regression,
    numpy_lms,
    write_cifar_py,
    write_csv,
    write_mat,
    write_npz,
    write_reviews_csv,
)
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import src.experiments.study as study_module
from src.callbacks import MSE_TAG, rate_run_name
from src.cli import main
from src.data import EMBEDDED_LMS_DATA
from src.experiments.classify import ClassifyConfig
from src.experiments.lms.report import R_CRIT_LABEL
from src.experiments.pipeline import PipelineConfig
from src.experiments.sentiment import SentimentConfig
from src.experiments.simplenn import SimpleNNConfig
from src.experiments.study.headlines import HEADLINES, TITLES

QUIET = ["--no-progress-bar"]
SWEEP = [0.005, 0.01, 0.05, 0.1, 0.5, 1.0]


def run_dirs(logdir):
    return sorted(path for path in logdir.glob("*/version_*"))


PARTS = ["lms-sweep", "simplenn", "classify", "cifar", "pipeline", "sentiment", "lm"]
# The language-model part with gpt2-tiny in place of SmolLM2 (the study's own part, about a minute, is run by
# tests/experiments/test_lm_experiment.py, marked slow).
GPT2_TINY_LM = {**study_module.TOUR_LM, "model": "gpt2-tiny"}


def run_study(logdir, patches: dict, *argv) -> str:
    """`train.py` with no command (the study), with `patches` to the study module; its console output. Checks that
    it wrote one run per part and nothing else."""
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        for name, value in patches.items():
            patch.setattr(study_module, name, value)
        assert main([*argv, "--logdir", str(logdir), *QUIET]) == 0
    assert sorted(d.parent.name for d in run_dirs(logdir)) == sorted([*PARTS, "study"])  # one run each, no more
    assert json.loads((logdir / "lm/version_0/results.json").read_text())["model"]["name"] == "gpt2-tiny"
    return printed.getvalue()


def tiny_study(root: Path) -> tuple[dict, list[str]]:
    """Patches to the study module that make every part its smallest except the LMS sweep, and the study's
    arguments: the image parts one epoch each on a tiny CIFAR-10 folder (--data-dir), the pipeline lab with one
    study, both sentiment presets tiny on a tiny review file, the language model gpt2-tiny for 2 steps."""
    if not (root / "cifar").exists():
        write_cifar_py(root / "cifar", cifar_arrays(per_batch=20))
    reviews = write_reviews_csv(root / "IMDB Dataset.csv", n=200)
    tiny_sentiment = dict(data=str(reviews), embedding_dim=8, hidden_dim=8, epochs=1, batch_size=32, min_freq=2)
    tiny_lm = dict(eval_lines=20, fraction=0.1, max_steps=2, val_every=1, max_new_tokens=4)
    patches = {  # the study module's names for its parts' configs and short settings
        "SimpleNNConfig": functools.partial(SimpleNNConfig, epochs=1),
        "ClassifyConfig": functools.partial(ClassifyConfig, epochs=1),
        "TOUR_CIFAR_EPOCHS": 1,
        "TOUR_PIPELINE_EPOCHS": 1,
        "PipelineConfig": functools.partial(PipelineConfig, variants=("augmentation",)),
        "SentimentConfig": functools.partial(SentimentConfig, **tiny_sentiment),
        "TOUR_LM": {**GPT2_TINY_LM, **tiny_lm},
    }
    return patches, ["--data-dir", str(root / "cifar")]


@pytest.fixture(scope="module")
def study_run(tmp_path_factory):
    """The tiny study (tiny_study) once for the module; the LMS sweep runs as in the full study (the tests below
    read it). The study with every part's defaults: test_the_full_study_runs_every_part_with_its_defaults
    (slow)."""
    root = tmp_path_factory.mktemp("study")
    patches, argv = tiny_study(root)
    printed = run_study(root / "runs", patches, *argv)
    run_dir = root / "runs" / "lms-sweep" / "version_0"
    return run_dir, json.loads((run_dir / "results.json").read_text()), printed


@pytest.fixture(scope="module")
def study(study_run):
    run_dir, results, _ = study_run
    return run_dir, results


def test_the_study_prints_each_part_under_its_header_and_the_layer_table_once(study_run):
    _, _, printed = study_run
    check_the_printed_study(printed)


def check_the_printed_study(printed: str) -> None:
    headers = [line for line in printed.splitlines() if line.startswith("== ")]
    assert [header[:7] for header in headers] == [f"== {n}/7 " for n in range(1, 8)]
    assert [header.split()[2] for header in headers] == [f"{part}:" for part in PARTS]
    # simplenn prints SimpleNN's table and classify's is the same; cifar prints its own network's
    assert len(re.findall(r"conv1 +Conv2d +\(1,3,32,32\) +\(1,16,32,32\)", printed)) == 1
    assert len(re.findall(r"conv1 +Conv2d +\(1,3,32,32\) +\(1,8,28,28\)", printed)) == 1
    assert printed.count("run directory: ") == 7 and printed.count("TensorBoard: ") == 1


def test_no_arguments_runs_the_full_study_and_writes_everything(study, embedded):
    run_dir, results = study
    for name in ("results.json", "report.md", "hparams.yaml", "figures/mse_vs_epoch.png", "figures/planes_3d.png"):
        assert (run_dir / name).is_file(), name
    for other in ("simplenn", "classify"):
        assert (run_dir.parent.parent / other / "version_0" / "report.md").is_file()
    assert set(results) >= {"experiment", "data", "wiener", "theory", "runs"}
    assert results["data"] == {
        "path": str(EMBEDDED_LMS_DATA),
        "n_samples": 100,
        "n_features": 2,
        "mse_of_zero_weights": pytest.approx(float(np.mean(embedded.D**2)), rel=1e-15),
    }
    assert set(results["theory"]) == {
        "eigenvalues",
        "lr_bound_lambda_max",
        "lr_bound_trace",
        "lr_critical",
        "lr_critical_note",
    }
    assert results["theory"]["lr_critical_note"] is None and results["status"] == "completed"
    assert [run["lr"] for run in results["runs"]] == SWEEP
    for run in results["runs"]:
        assert set(run) == {"lr", "w", "mse", "diverged_epoch", "predicted_stable"}
        assert len(run["mse"]) == 21


def test_every_rate_matches_the_numpy_loop(study, embedded):
    _, results = study
    for run in results["runs"]:
        if run["diverged_epoch"] is not None:
            continue
        w_ref, mse_ref = numpy_lms(embedded.X, embedded.D, [0.53, 0.2, 0.1], run["lr"], 20)
        np.testing.assert_allclose(run["w"], w_ref, rtol=0, atol=1e-10)
        np.testing.assert_allclose(run["mse"], mse_ref, rtol=1e-10)
    w_star, *_ = np.linalg.lstsq(embedded.X, embedded.D, rcond=None)
    np.testing.assert_allclose(results["wiener"]["w"], w_star, atol=1e-12)


def test_r1_is_predicted_and_observed_to_diverge_and_the_others_are_not(study):
    _, results = study
    by_rate = {run["lr"]: run for run in results["runs"]}
    diverged = by_rate.pop(1.0)
    assert diverged["predicted_stable"] is False
    assert diverged["diverged_epoch"] == 1 and diverged["w"] is None
    assert diverged["mse"][0] is not None and all(v is None for v in diverged["mse"][2:])
    for run in by_rate.values():
        assert run["predicted_stable"] is True and run["diverged_epoch"] is None


def test_tensorboard_holds_21_points_per_stable_rate_and_the_figures(study):
    run_dir, results = study
    for run in results["runs"]:
        accumulator = EventAccumulator(str(run_dir / rate_run_name(run["lr"])))
        accumulator.Reload()
        steps = [event.step for event in accumulator.Scalars(MSE_TAG)]
        expected = 21 if run["diverged_epoch"] is None else run["diverged_epoch"]
        assert steps == list(range(expected))
    accumulator = EventAccumulator(str(run_dir), size_guidance={"images": 0})
    accumulator.Reload()
    assert set(accumulator.Tags()["images"]) == {"figures/mse_vs_epoch", "figures/planes_3d"}
    image = accumulator.Images("figures/mse_vs_epoch")[0]
    assert image.encoded_image_string.startswith(b"\x89PNG") and image.width > 400


def test_report_has_every_section_with_this_runs_numbers(study):
    run_dir, results = study
    report = (run_dir / "report.md").read_text()
    for heading in (
        "## Dataset",
        "## Wiener solution",
        "## LMS at r = 0.005",
        "## Learning-rate sweep",
        "## Theory",
        "## Figures",
        "## Interpretation",
    ):
        assert heading in report
    assert f"{R_CRIT_LABEL} = {results['theory']['lr_critical']:.6g}" in report
    assert "| 1 | — | — | — | diverges | diverged (epoch 1) |" in report
    assert "](figures/mse_vs_epoch.png)" in report and "](figures/planes_3d.png)" in report


@pytest.mark.slow
def test_the_full_study_runs_every_part_with_its_defaults(tmp_path, study_run):
    """The study as `train.py` runs it, each part on the embedded data with its defaults (about 1.5 minutes on 2
    cores); its LMS part is the one the tests above read."""
    logdir = tmp_path / "runs"
    printed = run_study(logdir, {"TOUR_LM": GPT2_TINY_LM})
    check_the_printed_study(printed)
    parts = [d for d in run_dirs(logdir) if d.parent.name != "study"]
    results = {d.parent.name: json.loads((d / "results.json").read_text()) for d in parts}
    for part in results.values():  # where and when each ran
        part.pop("meta")
        part["config"].pop("logdir")
    tiny_lms = {key: value for key, value in study_run[1].items() if key != "meta"}
    tiny_lms["config"] = {key: value for key, value in tiny_lms["config"].items() if key != "logdir"}
    assert results["lms-sweep"] == tiny_lms
    for image_part in ("classify", "cifar", "pipeline"):
        assert results[image_part]["data"]["name"] == "digits", image_part
    assert len(results["classify"]["history"]) == 10 and results["classify"]["test"]["acc"] >= 0.9
    assert list(results["sentiment"]["presets"]) == ["default", "course"]
    assert results["sentiment"]["data"]["sizes"]["train"] > 8000  # the embedded reviews


def test_two_runs_with_one_seed_give_identical_results(tmp_path):
    logdir = tmp_path / "runs"
    args = [
        "lms-sweep",
        "--lrs",
        "0.01,0.5",
        "--epochs",
        "4",
        "--shuffle",
        "--seed",
        "3",
        "--logdir",
        str(logdir),
    ]
    assert main(args + QUIET) == 0 and main(args + QUIET) == 0
    first, second = (json.loads((d / "results.json").read_text()) for d in run_dirs(logdir))
    assert first.pop("meta")["run_dir"] != second.pop("meta")["run_dir"]  # a new directory each time
    assert first == second
    assert main([*args[:-4], "--seed", "4", "--logdir", str(logdir), *QUIET]) == 0
    third = json.loads((run_dirs(logdir)[-1] / "results.json").read_text())
    assert third["runs"] != first["runs"]  # another seed shuffles differently


def test_single_rate_command(tmp_path, capsys):
    assert main(["lms", "--lr", "0.05", "--epochs", "3", "--w0", "zeros", "--logdir", str(tmp_path), *QUIET]) == 0
    (run_dir,) = run_dirs(tmp_path)
    results = json.loads((run_dir / "results.json").read_text())
    assert results["experiment"] == "lms" and [run["lr"] for run in results["runs"]] == [0.05]
    assert results["config"]["w0"] == [0.0, 0.0, 0.0]
    out = capsys.readouterr().out
    assert f"run directory: {run_dir}" in out and f"tensorboard --logdir {tmp_path}" in out


@pytest.mark.parametrize("writer", [write_csv, write_npz], ids=["csv", "npz"])
def test_other_formats_and_three_features(tmp_path, writer):
    X, D = make_regression(n=50, p=3, seed=5)
    path = writer(tmp_path / f"data.{'csv' if writer is write_csv else 'npz'}", X, D)
    args = ["lms", "--data", str(path), "--w0", "zeros", "--lr", "0.05", "--epochs", "5"]
    assert main([*args, "--logdir", str(tmp_path / "runs"), *QUIET]) == 0
    (run_dir,) = run_dirs(tmp_path / "runs")
    results = json.loads((run_dir / "results.json").read_text())
    w_ref, _ = numpy_lms(X, D, [0, 0, 0, 0], 0.05, 5)
    np.testing.assert_allclose(results["runs"][0]["w"], w_ref, atol=1e-10)
    assert not (run_dir / "figures/planes_3d.png").exists()
    assert "needs exactly 2 features, this data has p = 3" in (run_dir / "report.md").read_text()


def test_help_lists_every_option_with_its_default(capsys):
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # line wrapping is argparse's business
    for option in (
        "--data",
        "--epochs",
        "--w0",
        "--seed",
        "--shuffle",
        "--logdir",
        "--accelerator",
        "--devices",
        "--precision",
        "--lr ",
        "--lrs",
        "--data-dir",
        "--batch-size",
        "--optimizer",
        "--num-workers",
        "--momentum",
        "--weight-decay",
        "--lr-decay",
        "--augment",
        "--grad-every",
        "--weight-every",
    ):
        assert option in text, option
    for default in (
        "(default: 20)",
        "(default: 0.005)",
        "(default: runs)",
        "(default: 0.53,0.2,0.1)",
        "(default: 0.005,0.01,0.05,0.1,0.5,1)",
        "(default: embedded)",
        "(default: auto)",
    ):
        assert default in text, default
    for command in ("study", "lms", "lms-sweep", "simplenn", "classify", "cifar", "pipeline"):
        assert f"=== train.py {command} ===" in text


# ---- bad input: one line on stderr, exit status 2, no run directory ----


def _bad(tmp_path, capsys, argv):
    logdir = tmp_path / "runs"
    status = main([*argv, "--logdir", str(logdir), *QUIET])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    assert not run_dirs(logdir)
    return err


def _dataset(tmp_path, name="d.npz", **changes):
    X, D = make_regression(n=20, p=2)
    arrays = {"X": X, "D": D.reshape(-1, 1)} | changes
    np.savez(tmp_path / name, **{k: v for k, v in arrays.items() if v is not None})
    return str(tmp_path / name)


def test_bad_missing_file(tmp_path, capsys):
    assert "nope.mat: no such file" in _bad(tmp_path, capsys, ["--data", str(tmp_path / "nope.mat")])


def test_bad_unknown_extension(tmp_path, capsys):
    (tmp_path / "d.xlsx").write_text("x")
    assert "unknown extension '.xlsx'" in _bad(tmp_path, capsys, ["--data", str(tmp_path / "d.xlsx")])


def test_bad_missing_X(tmp_path, capsys):
    path = tmp_path / "d.mat"
    scipy.io.savemat(path, {"D": np.ones((5, 1))})
    assert "d.mat: missing variable 'X'" in _bad(tmp_path, capsys, ["--data", str(path)])


def test_bad_missing_D(tmp_path, capsys):
    assert "missing array 'D'" in _bad(tmp_path, capsys, ["--data", _dataset(tmp_path, D=None)])


def test_bad_wrong_shapes(tmp_path, capsys):
    assert "D is 1 x 20; expected 20 x 1" in _bad(tmp_path, capsys, ["--data", _dataset(tmp_path, D=np.ones((1, 20)))])


def test_bad_first_column_not_ones(tmp_path, capsys):
    X, D = make_regression(n=20)
    X[:, 0] = 2.0
    path = write_mat(tmp_path / "d.mat", X, D)
    assert "first column of X must be all ones" in _bad(tmp_path, capsys, ["--data", str(path)])


def test_bad_fewer_samples_than_weights(tmp_path, capsys):
    X, D = make_regression(n=2, p=2)
    path = write_npz(tmp_path / "d.npz", X, D)
    assert "2 samples but 3 weights" in _bad(tmp_path, capsys, ["--data", str(path)])


def test_bad_nan(tmp_path, capsys):
    X, D = make_regression(n=20)
    D[3] = np.nan
    path = write_npz(tmp_path / "d.npz", X, D)
    assert "D contains NaN or infinite values" in _bad(tmp_path, capsys, ["--data", str(path)])


def test_bad_inf(tmp_path, capsys):
    X, D = make_regression(n=20)
    X[3, 2] = np.inf
    path = write_npz(tmp_path / "d.npz", X, D)
    assert "X contains NaN or infinite values" in _bad(tmp_path, capsys, ["--data", str(path)])


def test_bad_non_numeric_csv(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("x1,x2,d\n1,2,3\n4,five,6\n7,8,9\n")
    message = _bad(tmp_path, capsys, ["--data", str(tmp_path / "d.csv")])
    assert "line 3, column 'x2': 'five' is not a number" in message


def test_bad_rank_deficient(tmp_path, capsys):
    X, D = make_regression(n=20)
    X[:, 2] = X[:, 1]
    path = write_mat(tmp_path / "d.mat", X, D)
    assert "X has rank 2 but 3 columns" in _bad(tmp_path, capsys, ["--data", str(path)])


@pytest.mark.parametrize("argv", [["lms", "--lr", "0"], ["lms", "--lr", "-0.1"], ["lms", "--lr", "nan"]])
def test_bad_lr(tmp_path, capsys, argv):
    assert "--lr: must be a finite number > 0" in _bad(tmp_path, capsys, argv)


def test_bad_lrs(tmp_path, capsys):
    assert "--lrs: must be a finite number > 0, got -1" in _bad(tmp_path, capsys, ["lms-sweep", "--lrs", "0.1,-1"])


@pytest.mark.parametrize("value", ["0", "-3"])
def test_bad_epochs(tmp_path, capsys, value):
    assert f"--epochs: must be at least 1, got {value}" in _bad(tmp_path, capsys, ["lms-sweep", "--epochs", value])


def test_bad_w0_length(tmp_path, capsys):
    message = _bad(tmp_path, capsys, ["lms-sweep", "--w0", "1,2"])
    assert "--w0: 1, 2 has 2 values but" in message and "3 weights (p+1 with p = 2)" in message


def test_bad_default_w0_on_other_data_says_how_to_fix_it(tmp_path, capsys):
    X, D = make_regression(n=20, p=4)
    path = write_npz(tmp_path / "d.npz", X, D)
    message = _bad(tmp_path, capsys, ["--data", str(path)])
    assert "--w0: the default W0 0.53, 0.2, 0.1 has 3 values" in message and "'zeros'" in message


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["lms-sweep", "--precision", "16-mixed"], "--precision: one of 64-true, 64, 32-true, 32, got '16-mixed'"),
        (["lms", "--devices", "2"], "--devices: LMS is sequential"),
        (["lms-sweep", "--w0", "a,b,c"], "--w0: expected numbers or 'zeros', got 'a,b,c'"),
        (["--accelerator", "tpu"], "--accelerator: one of auto, cpu, gpu, cuda, mps, got 'tpu'"),
        (["lms", "--accelerator", "gpu"], "--accelerator gpu: no CUDA GPU was found on this machine"),  # none on CI
        (["--bogus"], "unknown option --bogus for study"),
        (["--epochs", "5"], "unknown option --epochs for study: it runs each part with the part's defaults"),
        (["classify", "--batch-size", "0"], "--batch-size: must be at least 1, got 0"),
        (["classify", "--optimizer", "rmsprop"], "--optimizer: one of adam, sgd, got 'rmsprop'"),
        (["simplenn", "--lr", "-1"], "--lr: must be a finite number > 0, got -1"),
        (["classify", "--precision", "8-bit"], "--precision: one of auto, 32-true, 32, 16-mixed"),
        (["classify", "--devices", "two"], "--devices: a whole number >= 1 or 'auto', got 'two'"),
        (["classify", "--num-workers", "-1"], "--num-workers: must be at least 0, got -1"),
        (["classify", "--weight-decay", "nan"], "--weight-decay: must be a finite number >= 0, got nan"),
    ],
)
def test_bad_options(tmp_path, capsys, argv, expected):
    assert expected in _bad(tmp_path, capsys, argv)


def test_the_study_checks_every_part_before_it_prints_or_runs_anything(tmp_path, capsys):
    (tmp_path / "cifar").mkdir()  # a data folder for the image parts that holds no CIFAR-10
    assert main(["--data-dir", str(tmp_path / "cifar"), "--logdir", str(tmp_path / "runs"), *QUIET]) == 2
    shown = capsys.readouterr()
    assert shown.out == "" and "neither cifar-10-batches-py/ nor cifar-10-batches-bin/ found" in shown.err
    assert not (tmp_path / "runs").exists()  # the LMS part, whose data are fine, did not run either


def test_the_study_checks_its_log_directory_before_it_prints_anything(tmp_path, capsys):
    (tmp_path / "a-file").write_text("not a directory")
    assert main(["--logdir", str(tmp_path / "a-file" / "runs"), *QUIET]) == 2
    shown = capsys.readouterr()
    assert shown.out == "" and "is not a directory" in shown.err


def test_ctrl_c_before_training_starts_is_one_line(monkeypatch, capsys):
    """Regression: a KeyboardInterrupt while a command was still importing or loading printed a traceback."""
    from src.experiments.command import Experiment

    def interrupted(self, cfg, given):
        raise KeyboardInterrupt

    monkeypatch.setattr(Experiment, "run", interrupted)
    assert main(["lms", "--epochs", "1"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def table_rows(report: str) -> list[list[str]]:
    rows = [line for line in report.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[1:]]


def test_the_study_writes_one_report_with_each_labs_headline_and_figure(study_run):
    lms_run, _, printed = study_run
    logdir = lms_run.parent.parent
    study_dir = logdir / "study" / "version_0"
    record = json.loads((study_dir / "study.json").read_text())
    assert [part["experiment"] for part in record["parts"]] == PARTS
    assert {part["status"] for part in record["parts"]} == {"completed"}
    report = (study_dir / "report.md").read_text()
    assert report.startswith("# The study\n\nStatus: completed.")
    rows = table_rows(report)
    assert len(rows) == len(PARTS)
    for row, part in zip(rows, record["parts"], strict=True):
        run_dir = study_dir / part["run_dir"]
        results = json.loads((run_dir / "results.json").read_text())
        assert row[0] == f"{TITLES[part['experiment']]} (`{part['experiment']}`)"
        assert row[1] == HEADLINES[part["experiment"]](results)
        assert row[5] == f"{results['meta']['elapsed_s']:,.0f} s"
        links = re.findall(r"\]\(([^)]+)\)", row[6])
        assert [(study_dir / link).resolve() for link in links] == [
            (run_dir / "report.md").resolve(),
            run_dir.resolve(),
        ]
        assert run_dir.resolve() == (logdir / part["experiment"] / "version_0").resolve()
    figures = re.findall(r"!\[[^]]*\]\(([^)]+)\)", report)
    assert len(figures) == len(PARTS) and all((study_dir / figure).is_file() for figure in figures)
    assert "figures/mse_vs_epoch.png" in figures[0] and "figures/init_comparison.png" in figures[1]
    assert f"study report: {study_dir / 'report.md'}" in printed


@pytest.mark.slow  # a second tiny study (10 s); the report test above reads the shared one
def test_an_interrupted_study_resumes_part_by_part(study_run, tmp_path, interrupt_at, monkeypatch):
    _, uninterrupted, _ = study_run
    patches, argv = tiny_study(tmp_path)
    for name, value in patches.items():
        monkeypatch.setattr(study_module, name, value)
    logdir = tmp_path / "runs"
    interrupt_at(150)  # the LMS sweep, the first part, in its second epoch (100 samples, batch 1)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        assert main([*argv, "--logdir", str(logdir), *QUIET]) == 130
    study_dir = logdir / "study" / "version_0"
    assert "resume it with: " in err.getvalue() and f"study --resume {study_dir}" in err.getvalue()
    record = json.loads((study_dir / "study.json").read_text())
    assert [part["status"] for part in record["parts"]] == ["interrupted"] + ["pending"] * (len(PARTS) - 1)
    assert "Status: 0 of 7 parts completed." in (study_dir / "report.md").read_text()

    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["study", "--resume", "last", "--logdir", str(logdir), *QUIET]) == 0
    record = json.loads((study_dir / "study.json").read_text())
    assert {part["status"] for part in record["parts"]} == {"completed"}
    assert sorted(path.parent.name for path in logdir.glob("*/version_*")) == sorted([*PARTS, "study"])
    resumed = json.loads((logdir / "lms-sweep" / "version_0" / "results.json").read_text())
    assert resumed["meta"]["resumed_from"] is not None
    assert resumed["runs"] == uninterrupted["runs"]  # as if it had never stopped
    assert "Status: completed." in (study_dir / "report.md").read_text()
    assert "study report:" in out.getvalue()

    with contextlib.redirect_stderr(io.StringIO()) as err:
        assert main(["study", "--resume", "last", "--logdir", str(logdir), *QUIET]) == 2
    assert err.getvalue() == f"error: --resume last: {study_dir} has completed (study.json): nothing to resume\n"


def test_a_resumed_study_keeps_its_completed_parts_even_when_moved(study_run, tmp_path, monkeypatch):
    """A copy of the shared study whose last part (lm) was killed before its results: --resume says where each
    completed part is (the record's paths are relative, so the copy finds its own) and runs only lm again, in
    the copy's log directory."""
    lms_run, _, _ = study_run
    logdir = tmp_path / "moved"
    shutil.copytree(lms_run.parent.parent, logdir)
    study_dir = logdir / "study" / "version_0"
    record = json.loads((study_dir / "study.json").read_text())
    record["parts"][-1]["status"] = "running"  # killed hard during lm: its results never written
    (study_dir / "study.json").write_text(json.dumps(record))
    (study_dir / record["parts"][-1]["run_dir"] / "results.json").unlink()
    patches, _ = tiny_study(tmp_path)
    for name, value in patches.items():
        monkeypatch.setattr(study_module, name, value)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["study", "--resume", str(study_dir), "--logdir", str(logdir), *QUIET]) == 0
    printed = out.getvalue()
    for number, part in enumerate(PARTS[:-1], start=1):
        assert f"== {number}/7 {part}: completed in {logdir / part / 'version_0'} ==" in printed
    assert "== 7/7 lm: " in printed and printed.count("run directory: ") == 1
    # lm again from the start (its completed run had dropped its checkpoints), beside the moved study
    assert sorted(path.name for path in (logdir / "lm").iterdir()) == ["version_0", "version_1"]
    record = json.loads((study_dir / "study.json").read_text())
    assert record["parts"][-1] == {"experiment": "lm", "run_dir": "../../lm/version_1", "status": "completed"}
    assert "Status: completed." in (study_dir / "report.md").read_text()


def test_resuming_a_folder_that_is_no_study_is_one_line(tmp_path, capsys):
    study_dir = tmp_path / "study" / "version_0"
    study_dir.mkdir(parents=True)
    assert main(["study", "--resume", str(study_dir), "--logdir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: --resume {study_dir}: not a study run directory (no study.json)\n"
    (study_dir / "study.json").write_text('{"parts": []}')
    assert main(["study", "--resume", str(study_dir), "--logdir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --resume {study_dir}: no readable {study_dir / 'config.json'} (")
    assert err.count("\n") == 1
