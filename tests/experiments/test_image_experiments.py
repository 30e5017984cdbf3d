"""`classify` and `simplenn` end to end through main(argv): files, numbers, TensorBoard."""

from __future__ import annotations

import json

import pytest
from helpers import cifar_arrays, write_cifar_bin, write_cifar_py
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from src.cli import main

QUIET = ["--no-progress-bar"]


def only_run(logdir, experiment):
    (run_dir,) = sorted((logdir / experiment).glob("version_*"))
    return run_dir, json.loads((run_dir / "results.json").read_text())


def events(path):
    accumulator = EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0, "images": 0})
    accumulator.Reload()
    return accumulator


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("classify") / "runs"
    assert main(["classify", "--logdir", str(logdir), *QUIET]) == 0
    return only_run(logdir, "classify")


def test_classify_learns_the_embedded_digits(classified):
    _, results = classified
    assert len(results["history"]) == 10
    assert max(row["val/acc"] for row in results["history"]) >= 0.90  # the bar, within 10 epochs
    assert results["test"]["acc"] >= 0.90
    assert results["data"]["name"] == "digits" and results["data"]["sizes"]["train"] == 1437
    assert results["model"] == {"name": "SimpleNN", "final_relu": False}
    assert results["totals"]["params"] == 38_170 and results["totals"]["macs"] == 2_807_360
    assert [layer["name"] for layer in results["layers"]] == ["conv1", "conv2", "conv3", "fc1", "fc2"]


def test_classify_writes_files_and_tensorboard(classified):
    run_dir, results = classified
    for name in ("results.json", "report.md", "layer_summary.csv", "hparams.yaml", "figures/learning_curves.png"):
        assert (run_dir / name).is_file(), name
    accumulator = events(run_dir)
    tags = accumulator.Tags()
    for tag in ("train/loss", "train/acc", "val/loss", "val/acc", "test/acc", "model/params", "model/macs"):
        assert tag in tags["scalars"], tag
    assert len(accumulator.Scalars("val/acc")) == 10
    val_acc = [e.value for e in accumulator.Scalars("val/acc")]
    assert val_acc == pytest.approx([row["val/acc"] for row in results["history"]], rel=1e-6)
    assert {"weights/conv1", "grads/conv1", "weights/fc2.bias", "grads/fc2.bias"} <= set(tags["histograms"])
    assert "figures/learning_curves" in tags["images"]
    report = (run_dir / "report.md").read_text()
    assert f"**Test accuracy {100 * results['test']['acc']:.2f} %**" in report
    assert "without the ReLU after fc2" in report
    assert f"- adam (lr {results['config']['lr']:g}, weight decay" in report  # no momentum: adam has none


@pytest.mark.parametrize("writer", [write_cifar_py, write_cifar_bin], ids=["python", "binary"])
def test_classify_on_a_cifar_download(tmp_path, writer):
    writer(tmp_path / "data", cifar_arrays(per_batch=20))
    args = ["classify", "--data-dir", str(tmp_path / "data"), "--epochs", "1", "--augment", "--batch-size", "16"]
    assert main([*args, "--logdir", str(tmp_path / "runs"), *QUIET]) == 0
    _, results = only_run(tmp_path / "runs", "classify")
    assert results["data"]["name"] == "cifar10"
    assert results["data"]["sizes"] == {"train": 90, "val": 10, "test": 20}
    assert results["config"]["augment"] is True


def test_classify_is_reproducible(classify_twice):
    """Two runs with one seed (the session's classify_twice: 2 epochs, augmented)."""
    dirs = sorted((classify_twice / "classify").glob("v*"))
    first, second = (json.loads((d / "results.json").read_text()) for d in dirs)
    first.pop("meta"), second.pop("meta")
    assert first == second


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("simplenn") / "runs"
    assert main(["simplenn", "--epochs", "3", "--logdir", str(logdir), *QUIET]) == 0
    return only_run(logdir, "simplenn")


def test_simplenn_results(analysed):
    _, results = analysed
    assert [layer["macs"] for layer in results["layers"]] == [1_228_800, 665_856, 903_168, 9216, 320]
    zero = results["zero_init"]
    assert zero["vanishing_layers"] == ["conv1", "conv2", "conv3", "fc1"]
    fc2 = next(layer for layer in zero["zero_init"]["layers"] if layer["layer"] == "fc2")
    assert all(grad["norm"] > 0 for grad in fc2["grads"])
    training = results["training"]
    assert len(training["default_init"]) == len(training["zero_init"]) == 3
    assert training["default_init"][-1]["val/acc"] > 0.8
    assert training["zero_init"][-1]["val/acc"] <= training["chance_accuracy"] + 0.02  # a constant answer
    assert training["zero_init_weights_still_zero"] == {
        "conv1": True,
        "conv2": True,
        "conv3": True,
        "fc1": True,
        "fc2": False,
    }


def test_simplenn_tensorboard_and_files(analysed):
    run_dir, _ = analysed
    for name in ("report.md", "layer_summary.csv", "figures/gradient_norms.png", "figures/init_comparison.png"):
        assert (run_dir / name).is_file(), name
    for init in ("default_init", "zero_init"):
        accumulator = events(run_dir / init)
        histograms = set(accumulator.Tags()["histograms"])
        assert {"weights/conv1", "grads/conv1", "weights/fc1.bias", "grads/fc2"} <= histograms
        zero_grad = accumulator.Histograms("grads/conv2")[0].histogram_value
        if init == "zero_init":
            assert zero_grad.min == zero_grad.max == 0.0
        else:
            assert zero_grad.max > zero_grad.min
        assert len(events(run_dir / f"train_{init}").Scalars("val/acc")) == 3
    report = (run_dir / "report.md").read_text()
    assert "**Gradients vanish exactly in conv1, conv2, conv3, fc1**" in report
    assert "the weights of conv1, conv2, conv3, fc1 are still exactly 0; only fc2 moved." in report


def test_a_batch_larger_than_the_training_set_is_reported_as_the_batch_really_used(tmp_path, capsys):
    write_cifar_py(tmp_path / "data", cifar_arrays(per_batch=20))  # 90 training images
    args = ["classify", "--data-dir", str(tmp_path / "data"), "--epochs", "1", "--batch-size", "100000"]
    assert main([*args, "--logdir", str(tmp_path / "runs"), *QUIET]) == 0
    err = capsys.readouterr().err
    assert "warning: --batch-size 100000 is more than the 90 training images: each training batch holds 90\n" in err
    run_dir, results = only_run(tmp_path / "runs", "classify")
    assert results["config"]["batch_size"] == 100_000 and results["config"]["batch_size_used"] == 90
    report = (run_dir / "report.md").read_text()
    assert "batch 90 (every training image: --batch-size 100000 asked for more), seed 0" in report
