"""`sentiment` end to end on a tiny Kaggle-format CSV: results against scikit-learn, the report, TensorBoard,
predict against the model in memory, and a bit-identical resume in either preset."""

from __future__ import annotations

import csv
import json
import os
import random
import signal

import pytest
import torch
from pytorch_lightning.callbacks import Callback
from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from src.cli import main
from src.experiments import run_context
from tests.conftest import SignalAtStep
from tests.experiments.test_resume import same_checkpoint_state

QUIET = ["--no-progress-bar"]
GOOD = ["great", "moving", "superb", "charming", "brilliant"]
BAD = ["awful", "boring", "dull", "mess", "tedious"]
NEUTRAL = ["plot", "actor", "scene", "music", "story", "camera", "script", "ending"]


def review(rng: random.Random, positive: bool) -> str:
    words = rng.choices(NEUTRAL, k=rng.randint(2, 12)) + rng.choices(GOOD if positive else BAD, k=rng.randint(1, 3))
    rng.shuffle(words)
    return "The " + " ".join(words) + ".<br /><br />Really!"


@pytest.fixture(scope="module")
def reviews_csv(tmp_path_factory):
    rng = random.Random(4)
    path = tmp_path_factory.mktemp("imdb") / "IMDB Dataset.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["review", "sentiment"])
        for k in range(300):
            positive = k % 5 < 3  # 60 % positive, as unbalanced as the embedded snippets
            writer.writerow([review(rng, positive), "positive" if positive else "negative"])
    return path


def argv(data, logdir, *extra):
    return [
        "sentiment", "--data", str(data), "--embedding-dim", "8", "--hidden-dim", "8", "--epochs", "3",
        "--batch-size", "16", "--warmup-steps", "5", "--min-freq", "2", "--eval-batch-size", "25",
        "--logdir", str(logdir), *QUIET, *extra,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def finished(reviews_csv, tmp_path_factory):
    logdir = tmp_path_factory.mktemp("runs")
    assert main(argv(reviews_csv, logdir, "--lr", "0.02", "--dropout", "0")) == 0
    return logdir / "sentiment" / "version_0"


def test_results_agree_with_scikit_learn(finished):
    results = json.loads((finished / "results.json").read_text())
    assert list(results["presets"]) == ["default", "course"]
    assert results["data"]["sizes"] == {"train": 210, "val": 30, "test": 60}
    with (finished / "test_predictions.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    truth = [int(row["label"] == "positive") for row in rows]
    for preset, result in results["presets"].items():
        predicted = [int(float(row[f"{preset}_probability_positive"]) > 0.5) for row in rows]
        test = result["test"]
        assert test["acc"] == pytest.approx(accuracy_score(truth, predicted), abs=1e-6)
        assert test["f1"] == pytest.approx(f1_score(truth, predicted), abs=1e-6)
        assert test["balanced_acc"] == pytest.approx(balanced_accuracy_score(truth, predicted), abs=1e-6)
        assert test["confusion"]["matrix"] == confusion_matrix(truth, predicted).tolist()
        best = min(result["history"], key=lambda row: row["val/loss"])
        assert result["best"]["epoch"] == best["epoch"] and len(result["history"]) == 3
        assert result["settings"]["embedding_dim"] == 8 and result["settings"]["lr"] == 0.02
    assert results["presets"]["default"]["settings"]["bidirectional"] is True  # not overridden: the preset's
    assert results["presets"]["course"]["settings"]["init"] == "course"
    assert results["presets"]["default"]["test"]["acc"] > 0.9  # the rule is learnable: it did learn
    assert results["majority_baseline"] == {"class": "positive", "accuracy": pytest.approx(0.6)}
    assert results["overrides"]["embedding_dim"] == 8


def test_the_report_answers_the_labs_questions(finished):
    results = json.loads((finished / "results.json").read_text())
    report = (finished / "report.md").read_text()
    for part in (
        "## The presets side by side",
        "## Loss per epoch: where overfitting starts",
        "## Test results of the best checkpoint",
        "## The first test reviews",
        "## The reviews it got most confidently wrong",
        "| true \\ predicted | negative | positive | accuracy |",
        "`course` with --embedding-dim 8, --hidden-dim 8, --batch-size 16, --epochs 3, --lr 0.02, --warmup-steps 5 "
        "(given on the command line): it differs from the course's notebook.",
    ):
        assert part in report
    first = results["examples"][0]
    assert "<br" not in " ".join(first["tokens"]) and "the" not in first["tokens"]  # tags and stop words gone
    assert first["text"] in report and " ".join(first["tokens"]) in report
    assert len(results["examples"]) == 5


def test_tensorboard_has_both_presets_gates_layers_and_the_projector(finished):
    vocabulary = json.loads((finished / "vocabulary.json").read_text())["tokens"]
    for preset in ("default", "course"):
        events = EventAccumulator(str(finished / preset), size_guidance={"scalars": 0, "histograms": 0}).Reload()
        tags = events.Tags()
        assert [e.step for e in events.Scalars("val/loss")] == sorted({e.step for e in events.Scalars("val/loss")})
        assert len(events.Scalars("val/loss")) == 3 and len(events.Scalars("test/acc")) == 1
        gates = {t for t in tags["histograms"] if "/rnn.weight_ih_l0/" in t}
        names = ("input", "forget", "cell", "output")
        assert gates == {f"{kind}/rnn.weight_ih_l0/{gate}" for kind in ("weights", "grads") for gate in names}
        assert "model/layer_summary/text_summary" in tags["tensors"]
        projector = (finished / preset / "projector_config.pbtxt").read_text()
        metadata = next((finished / preset).glob("*/embedding/metadata.tsv")).read_text().splitlines()
        assert "embedding" in projector and metadata == vocabulary[1:]  # every word but <pad>


def test_predict_gives_the_probabilities_of_the_model_in_memory(finished, tmp_path, capsys):
    with (finished / "test_predictions.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    texts = [row["text"] for row in rows[:12]]
    output = tmp_path / "mine.csv"
    assert main(["predict", str(finished), "--variant", "course", "--text", *texts, "--output", str(output)]) == 0
    with output.open(newline="") as file:
        predicted = list(csv.DictReader(file))
    assert [row["text"] for row in predicted] == texts
    for mine, theirs in zip(predicted, rows, strict=False):
        assert float(mine["probability_positive"]) == pytest.approx(
            float(theirs["course_probability_positive"]), abs=2e-6
        )
    lines = tmp_path / "reviews.txt"
    lines.write_text("\n".join(texts[:3]) + "\n\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["predict", str(finished), "--text-file", str(lines), "--text", "superb, charming"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("4 texts, classified by ")
    assert "positive" in out.splitlines()[1] and "superb, charming" in out  # --text's first, commas kept


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--text", ""], "--text: text 1 is empty"),
        (["--text-file", "missing.txt"], "--text-file missing.txt: no such file"),
        (["--data-dir", "."], "is a sentiment run; give texts with --text or --text-file"),
        ([], "is a sentiment run: give --text TEXT [TEXT ...] or --text-file FILE"),
        (["--text", "fine", "--variant", "mine"], "--variant mine: no such preset in this run; it has course, default"),
    ],
)
def test_predict_refuses(finished, capsys, extra, message):
    assert main(["predict", str(finished), *extra]) == 2
    assert message in capsys.readouterr().err


def test_predict_refuses_a_file_that_is_not_utf8(finished, tmp_path, capsys):
    path = tmp_path / "latin1.txt"
    path.write_bytes("un film très réussi\n".encode("latin-1"))
    assert main(["predict", str(finished), "--text-file", str(path)]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err


def comparable(run_dir) -> dict:
    data = json.loads((run_dir / "results.json").read_text())
    data.pop("meta"), data["config"].pop("logdir")
    data["text"].pop("seconds"), data["text"].pop("reviews_per_s")
    for result in data["presets"].values():
        result.pop("epoch_seconds"), result.pop("train_reviews_per_s")
    return data


@pytest.mark.parametrize(
    ("fit", "step"),
    [pytest.param(0, 20, marks=pytest.mark.slow), (1, 33)],
    ids=["default-mid-epoch-2", "course-mid-epoch-3"],  # the second resumes a finished part and one mid-epoch
)
def test_resume_mid_epoch_is_bit_identical(reviews_csv, tmp_path, monkeypatch, fit, step):
    assert main(argv(reviews_csv, tmp_path)) == 0  # 14 steps per epoch
    original, calls = run_context.checkpoint_callbacks, []

    def with_signal(*args, **kwargs):
        calls.append(kwargs.get("part"))
        extra = [SignalAtStep(step, signal.SIGINT)] if len(calls) == fit + 1 else []
        return [*original(*args, **kwargs), *extra]

    monkeypatch.setattr(run_context, "checkpoint_callbacks", with_signal)
    assert main(argv(reviews_csv, tmp_path)) == 130
    monkeypatch.setattr(run_context, "checkpoint_callbacks", original)
    run_dir = tmp_path / "sentiment" / "version_1"
    partial = json.loads((run_dir / "results.json").read_text())
    assert partial["status"] == "interrupted" and list(partial["presets"]) == ["default", "course"][: fit + 1]
    assert main(["sentiment", "--resume", str(run_dir), "--logdir", str(tmp_path), *QUIET]) == 0
    reference = tmp_path / "sentiment" / "version_0"
    assert comparable(run_dir) == comparable(reference)
    assert (run_dir / "test_predictions.csv").read_text() == (reference / "test_predictions.csv").read_text()
    for preset in ("default", "course"):
        for name in ("last.ckpt", "best.ckpt"):
            assert same_checkpoint_state(
                run_dir / "checkpoints" / preset / name, reference / "checkpoints" / preset / name
            )
    assert torch.equal(
        torch.load(run_dir / "checkpoints/course/best.ckpt", weights_only=True)["state_dict"]["model.fc.weight"],
        torch.load(reference / "checkpoints/course/best.ckpt", weights_only=True)["state_dict"]["model.fc.weight"],
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--presets", "fancy"], "--presets: "),
        (["--dropout", "1"], "--dropout: "),
        (["--cell", "rnn"], "--cell: one of lstm, gru, got 'rnn'"),
        (["--data", "nowhere.csv"], "--data nowhere.csv: no such file or directory"),
    ],
)
def test_bad_options(reviews_csv, tmp_path, capsys, extra, message):
    words = argv(reviews_csv, tmp_path)
    if extra[0] == "--data":
        words[2] = extra[1]
        extra = []
    assert main(words + extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "sentiment").exists()


class SignalInLastValidation(Callback):
    def on_validation_epoch_end(self, trainer, pl_module) -> None:
        if trainer.current_epoch + 1 == trainer.max_epochs:
            os.kill(os.getpid(), signal.SIGINT)


def test_a_signal_in_the_last_validation_stops_the_run_and_resumes_identically(
    reviews_csv, finished, tmp_path, monkeypatch
):
    """The signal comes after the last training step: no step follows to stop at, yet the run stops there
    (it used to go on through the next preset) and resumes from that preset's last.ckpt."""
    original = run_context.checkpoint_callbacks
    monkeypatch.setattr(
        run_context, "checkpoint_callbacks", lambda *a, **k: [*original(*a, **k), SignalInLastValidation()]
    )
    words = argv(reviews_csv, tmp_path, "--lr", "0.02", "--dropout", "0")
    assert main(words) == 130
    monkeypatch.setattr(run_context, "checkpoint_callbacks", original)
    run_dir = tmp_path / "sentiment" / "version_0"
    partial = json.loads((run_dir / "results.json").read_text())
    assert partial["status"] == "interrupted" and list(partial["presets"]) == ["default"]
    assert partial["presets"]["default"]["test"] is None and len(partial["presets"]["default"]["history"]) == 3
    assert partial["meta"]["interrupted"]["checkpoint"] == str(run_dir / "checkpoints" / "default" / "last.ckpt")
    assert main(["sentiment", "--resume", str(run_dir), "--logdir", str(tmp_path), *QUIET]) == 0
    resumed = json.loads((run_dir / "results.json").read_text())
    assert resumed["meta"]["resumed_from"] == str(run_dir / "checkpoints" / "default" / "last.ckpt")
    assert comparable(run_dir) == comparable(finished)
