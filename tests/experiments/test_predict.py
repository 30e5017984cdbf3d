"""`predict RUN`: one row per test image in file order, equal to the argmax of the checkpointed model, with the
accuracy (checked against scikit-learn) when labels exist and none when a hidden test set has none."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, confusion_matrix

from src.cli import main
from src.modules import SimpleNN
from tests.helpers import cifar_arrays, write_cifar_bin, write_cifar_py

QUIET = ["--no-progress-bar"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A classify run on a tiny CIFAR-10 folder (python format), and its images."""
    root = tmp_path_factory.mktemp("predict")
    arrays = cifar_arrays(per_batch=30, seed=4)
    write_cifar_py(root / "py", arrays)
    argv = ["classify", "--data-dir", str(root / "py"), "--epochs", "2", "--batch-size", "16"]
    assert main([*argv, "--logdir", str(root / "runs"), *QUIET]) == 0
    return root, root / "runs" / "classify" / "version_0", arrays


def independent_predictions(run_dir, data: np.ndarray) -> np.ndarray:
    """best.ckpt's weights in a fresh SimpleNN, pixels normalised by hand with the run's saved statistics."""
    checkpoint = torch.load(run_dir / "checkpoints" / "best.ckpt", weights_only=True)
    model = SimpleNN(10, 3, final_relu=False)
    model.load_state_dict(
        {k[len("model.") :]: v for k, v in checkpoint["state_dict"].items() if k.startswith("model.")}
    )
    norm = json.loads((run_dir / "results.json").read_text())["config"]["normalization"]
    images = torch.from_numpy(data.reshape(-1, 3, 32, 32)).float() / 255
    images = (images - torch.tensor(norm["mean"])[:, None, None]) / torch.tensor(norm["std"])[:, None, None]
    with torch.no_grad():
        return model.eval()(images).argmax(1).numpy()


def read_csv(path) -> tuple[str, list[tuple[int, int]]]:
    header, *rows = path.read_text().splitlines()
    return header, [tuple(int(v) for v in row.split(",")) for row in rows]


def test_labelled_test_batch(trained, capsys):
    root, run_dir, arrays = trained
    assert main(["predict", str(run_dir), "--data-dir", str(root / "py")]) == 0
    out = capsys.readouterr().out
    data, labels = arrays["test_batch"]
    header, rows = read_csv(run_dir / "predictions.csv")
    expected = independent_predictions(run_dir, data)
    assert header == "Id,Label" and [i for i, _ in rows] == list(range(len(labels)))  # one row per image, in order
    assert np.array_equal([label for _, label in rows], expected)
    summary = json.loads((run_dir / "predictions.json").read_text())
    assert summary["accuracy"] == pytest.approx(accuracy_score(labels, expected), abs=1e-12)
    assert summary["confusion"]["matrix"] == confusion_matrix(labels, expected, labels=range(10)).tolist()
    assert f"test accuracy {100 * accuracy_score(labels, expected):.2f} %" in out


def test_the_runs_own_test_split_gives_the_runs_test_accuracy(trained):
    _, run_dir, arrays = trained
    out = run_dir / "own.csv"
    assert main(["predict", "--run", str(run_dir), "--output", str(out)]) == 0
    summary = json.loads(out.with_suffix(".json").read_text())
    results = json.loads((run_dir / "results.json").read_text())
    assert summary["accuracy"] == pytest.approx(results["test"]["acc"], abs=1e-6)
    assert summary["images"]["count"] == len(arrays["test_batch"][1])


def test_hidden_test_set_without_labels_and_the_binary_format(trained, tmp_path, capsys):
    _, run_dir, arrays = trained
    data, _ = arrays["test_batch"]
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_batch").write_bytes(pickle.dumps({b"data": data, b"filenames": [b"x"] * len(data)}, protocol=2))
    out = tmp_path / "hidden.csv"
    assert main(["predict", str(run_dir), "--data-dir", str(hidden), "--output", str(out)]) == 0
    assert "the images have no labels: accuracy cannot be computed" in capsys.readouterr().out
    _, rows = read_csv(out)
    assert np.array_equal([label for _, label in rows], independent_predictions(run_dir, data))
    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["accuracy"] is None and summary["images"]["labelled"] is False

    write_cifar_bin(tmp_path / "bin", arrays)
    assert (
        main(["predict", str(run_dir), "--data-dir", str(tmp_path / "bin"), "--output", str(tmp_path / "b.csv")]) == 0
    )
    assert read_csv(tmp_path / "b.csv")[1] == rows  # the same images in the binary format: the same labels


def test_nothing_is_overwritten(trained, capsys):
    _, run_dir, _ = trained
    for _ in range(2):
        assert main(["predict", str(run_dir)]) == 0
    names = sorted(p.name for p in run_dir.glob("predictions*"))
    assert {"predictions-2.csv", "predictions-2.json", "predictions-3.csv"} <= set(names)
    taken = run_dir / "predictions.csv"
    before = taken.read_text()
    assert main(["predict", str(run_dir), "--output", str(taken)]) == 2
    assert "exists already; predictions never overwrite a file" in capsys.readouterr().err
    assert taken.read_text() == before
    results = run_dir / "results.json"  # --output results.csv would write its summary over results.json
    kept = results.read_text()
    assert main(["predict", str(run_dir), "--output", str(run_dir / "results.csv")]) == 2
    assert f"{results} exists already" in capsys.readouterr().err and results.read_text() == kept
    assert main(["predict", str(run_dir), "--output", str(run_dir / "labels.json")]) == 2
    assert "expected a .csv file" in capsys.readouterr().err
    assert not (run_dir / "results.csv").exists() and not (run_dir / "labels.json").exists()


def test_a_grid_run_predicts_with_its_best_variant(tmp_path, capsys):
    logdir = tmp_path / "runs"
    assert main(["cifar", "--epochs", "2", "--decay-every", "1", "--logdir", str(logdir), *QUIET]) == 0
    run_dir = logdir / "cifar" / "version_0"
    results = json.loads((run_dir / "results.json").read_text())
    best = max(results["variants"], key=lambda v: v["best_val"]["acc"])
    capsys.readouterr()
    assert main(["predict", str(run_dir)]) == 0
    assert f"variant {best['name']}" in capsys.readouterr().out
    summary = json.loads((run_dir / "predictions.json").read_text())
    assert summary["accuracy"] == pytest.approx(best["test"]["acc"], abs=1e-6)
    assert main(["predict", str(run_dir), "--variant", "nope"]) == 2
    assert "--variant nope: no such variant in this run; it has lr=" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["predict"], "predict needs a run: train.py predict RUN"),
        (["predict", "{tmp}/none"], "{tmp}/none: no such run directory"),
        (["predict", "{tmp}", "{tmp}"], "unexpected argument '{tmp}' for predict"),
        (["predict", "{tmp}"], "{tmp}: no checkpoints/best.ckpt or checkpoints/<variant>.pt"),
        (["predict", "{tmp}", "--batch-size", "0"], "--batch-size: must be at least 1, got 0"),
        (["predict", "{tmp}", "--run", "{tmp}/other"], "--run given twice ({tmp} and {tmp}/other): name one run"),
        (["predict", "{tmp}/a-file"], "{tmp}/a-file: a file; predict takes the run directory"),
        (["predict", "{tmp}", "--output", "{tmp}/none/p.csv"], "--output {tmp}/none/p.csv: no such directory"),
    ],
)
def test_errors(tmp_path, capsys, argv, message):
    (tmp_path / "a-file").write_text("x")
    assert main([word.replace("{tmp}", str(tmp_path)) for word in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message.replace("{tmp}", str(tmp_path)) in err and err.count("\n") == 1


def test_a_broken_test_folder(trained, tmp_path, capsys):
    _, run_dir, _ = trained
    (tmp_path / "a").write_bytes(b"x")
    (tmp_path / "b").write_bytes(b"y")
    assert main(["predict", str(run_dir), "--data-dir", str(tmp_path)]) == 2
    assert "no test_batch or test_batch.bin there" in capsys.readouterr().err
    (tmp_path / "test_batch").write_bytes(pickle.dumps({b"labels": [1]}, protocol=2))
    assert main(["predict", str(run_dir), "--data-dir", str(tmp_path)]) == 2
    assert "expected a dict with 'data' (and 'labels' when known)" in capsys.readouterr().err
    (tmp_path / "test_batch").write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.float32)}, protocol=2))
    assert main(["predict", str(run_dir), "--data-dir", str(tmp_path)]) == 2
    assert "must be a uint8 array of N x 3072 pixels, got float32 (2, 3072)" in capsys.readouterr().err


def test_hidden_batches_as_python_3_writes_them(trained, tmp_path, capsys):
    """str keys (pickled by Python 3) and labels as an integer array are CIFAR-10 batches too."""
    _, run_dir, arrays = trained
    data, labels = arrays["test_batch"]
    batch = tmp_path / "mine.pkl"
    batch.write_bytes(pickle.dumps({"data": data, "labels": np.asarray(labels, dtype=np.int64)}))
    assert main(["predict", str(run_dir), "--data-dir", str(batch), "--output", str(tmp_path / "p.csv")]) == 0
    _, rows = read_csv(tmp_path / "p.csv")
    assert np.array_equal([label for _, label in rows], independent_predictions(run_dir, data))
    batch.write_bytes(pickle.dumps({"data": data, "labels": [2**70] + [0] * (len(labels) - 1)}))
    assert main(["predict", str(run_dir), "--data-dir", str(batch), "--output", str(tmp_path / "q.csv")]) == 2
    assert "labels must be 0..9, found 0..1180591620717411303424" in capsys.readouterr().err


def test_checkpoints_that_are_not_ours(trained, tmp_path, capsys):
    _, run_dir, _ = trained
    checkpoint = torch.load(run_dir / "checkpoints" / "best.ckpt", weights_only=True)
    for name, broken in (
        ("no-options", {**checkpoint, "hyper_parameters": {**checkpoint["hyper_parameters"], "model_options": None}}),
        ("no-weights", {k: v for k, v in checkpoint.items() if k != "state_dict"}),
        ("bad-depth", {**checkpoint, "hyper_parameters": {**checkpoint["hyper_parameters"], "model_name": "ResNetCifar",
                                                           "model_options": {"depth": 21}}}),
    ):  # fmt: skip
        fake = tmp_path / name / "checkpoints"
        fake.mkdir(parents=True)
        torch.save(broken, fake / "best.ckpt")
        assert main(["predict", str(fake.parent)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {fake / 'best.ckpt'}: ") and err.count("\n") == 1, err
    variant = tmp_path / "grid" / "checkpoints"
    variant.mkdir(parents=True)
    torch.save({"model": "SimpleNNCifar", "state_dict": {}}, variant / "v.pt")
    assert main(["predict", str(variant.parent)]) == 2
    assert "not a checkpoint this project can use (KeyError" in capsys.readouterr().err


def test_the_help_shows_the_positional_run(capsys):
    assert main(["predict", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: train.py predict RUN [options]")
