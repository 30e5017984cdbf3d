"""`sentiment` end to end on a tiny Kaggle-format CSV: results against scikit-learn, the report, TensorBoard,
predict against the model in memory, and a bit-identical resume in either preset."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import signal
import statistics

import pytest
import torch
from pytorch_lightning.callbacks import Callback
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from src.cli import main
from src.data.text import load_reviews
from src.experiments import run_context
from src.experiments.sentiment.summary import sentiment_summary
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
    tested = {preset: result["test"] for preset, result in results["presets"].items()}
    for name, test in {**tested, "bag_of_words": results["bag_of_words"]["test"]}.items():
        predicted = [int(float(row[f"{name}_probability_positive"]) > 0.5) for row in rows]
        assert test["acc"] == pytest.approx(accuracy_score(truth, predicted), abs=1e-6)
        assert test["f1"] == pytest.approx(f1_score(truth, predicted), abs=1e-6)
        assert test["balanced_acc"] == pytest.approx(balanced_accuracy_score(truth, predicted), abs=1e-6)
        assert test["confusion"]["matrix"] == confusion_matrix(truth, predicted).tolist()
    for result in results["presets"].values():
        best = min(result["history"], key=lambda row: row["val/loss"])
        assert result["best"]["epoch"] == best["epoch"] and len(result["history"]) == 3
        assert result["settings"]["embedding_dim"] == 8 and result["settings"]["lr"] == 0.02
    assert results["presets"]["default"]["settings"]["bidirectional"] is True  # not overridden: the preset's
    assert results["presets"]["course"]["settings"]["init"] == "course"
    assert results["presets"]["default"]["test"]["acc"] > 0.9  # the rule is learnable: it did learn
    assert results["majority_baseline"]["class"] == "positive"
    assert results["majority_baseline"]["accuracy"] == pytest.approx(0.6)
    assert results["overrides"]["embedding_dim"] == 8


def test_the_bag_of_words_is_fitted_on_the_runs_own_training_split(reviews_csv, finished):
    """An independent fit (scikit-learn's pipeline on the same seeded split, training reviews only) gives the same
    probabilities as the run's baseline column."""
    splits = load_reviews(str(reviews_csv), seed=12)
    vectorizer = TfidfVectorizer(
        preprocessor=lambda t: re.sub(r"<[^>]+>", " ", t.lower()), ngram_range=(1, 2), min_df=2
    )
    model = LogisticRegression(C=16, solver="liblinear").fit(
        vectorizer.fit_transform(splits.train.texts), splits.train.labels
    )
    expected = model.predict_proba(vectorizer.transform(splits.test.texts))[:, 1]
    with (finished / "test_predictions.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["text"] for row in rows] == list(splits.test.texts)
    assert [float(row["bag_of_words_probability_positive"]) for row in rows] == pytest.approx(expected, abs=1e-6)
    bag = json.loads((finished / "results.json").read_text())["bag_of_words"]
    assert bag["features"] == len(vectorizer.vocabulary_) and bag["seconds"] > 0


def test_training_reviews_per_second_leave_validation_out(finished):
    """The rate divides the training reviews by the training time alone, which each epoch's validation is not
    part of: the epoch's own time, validation included, is longer."""
    results = json.loads((finished / "results.json").read_text())
    for result in results["presets"].values():
        training, whole = result["train_seconds"], result["epoch_seconds"]
        assert set(training) == set(whole) == {"1", "2", "3"}
        assert all(0 < training[epoch] < whole[epoch] for epoch in whole)
        assert result["train_reviews_per_s"] == pytest.approx(210 / statistics.median(training.values()))
    report = (finished / "report.md").read_text()
    assert "| training reviews per second (training time alone) |" in report


def test_the_summary_says_which_vocabulary_was_used(finished):
    results = json.loads((finished / "results.json").read_text())
    words = len(json.loads((finished / "vocabulary.json").read_text())["tokens"]) - 2  # less <pad> and <unk>
    lines = sentiment_summary(results).splitlines()
    assert lines[0].startswith(f"sentiment on imdb_kaggle (vocabulary of {words:,} words seen 2+ times, ")
    bag = results["bag_of_words"]["test"]
    assert lines[-1].startswith(f"  bag of words test accuracy {100 * bag['acc']:.2f} %, F1 {100 * bag['f1']:.2f} %")


def test_the_report_answers_the_labs_questions(finished):
    results = json.loads((finished / "results.json").read_text())
    report = (finished / "report.md").read_text()
    for part in (
        "## The presets side by side",
        "## Against the baselines and the literature",
        "| test set | default | course | bag of words | majority class (positive) |",
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


@pytest.mark.parametrize("preset", ["course", "default"])  # two outputs (the notebook's head), and one
def test_predict_gives_the_probabilities_of_the_model_in_memory(finished, tmp_path, capsys, preset):
    with (finished / "test_predictions.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    texts = [row["text"] for row in rows[:12]]
    output = tmp_path / "mine.csv"
    assert main(["predict", str(finished), "--variant", preset, "--text", *texts, "--output", str(output)]) == 0
    with output.open(newline="") as file:
        predicted = list(csv.DictReader(file))
    assert [row["text"] for row in predicted] == texts
    for mine, theirs in zip(predicted, rows, strict=False):
        assert float(mine["probability_positive"]) == pytest.approx(
            float(theirs[f"{preset}_probability_positive"]), abs=2e-6
        )
    if preset == "default":
        return
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
    data["bag_of_words"].pop("seconds")
    for result in data["presets"].values():
        result.pop("epoch_seconds"), result.pop("train_seconds"), result.pop("train_reviews_per_s")
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
        (  # a vocabulary of <pad> and <unk> only: every review one <unk>, nothing to learn
            ["--min-freq", "100000"],
            "error: --min-freq 100000: no word occurs 100,000 times in the 210 training reviews (the most frequent, ",
        ),
    ],
)
def test_bad_options(reviews_csv, tmp_path, capsys, extra, message):
    words = argv(reviews_csv, tmp_path)
    if extra[0] in words:  # an option argv gives already: this value instead
        words[words.index(extra[0]) + 1] = extra[1]
        extra = []
    assert main(words + extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "sentiment").exists()


def test_reviews_with_no_word_left_are_refused_before_training(tmp_path, capsys):
    path = tmp_path / "reviews.csv"
    path.write_text("review,sentiment\n" + "".join(f"It was the.,{s}\n" for s in ["positive", "negative"] * 10))
    assert main(argv(path, tmp_path / "runs")) == 2
    error = capsys.readouterr().err
    assert error == "error: the 14 training reviews have no word left after removing stop words and punctuation\n"
    assert not (tmp_path / "runs").exists()


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
    report = (run_dir / "report.md").read_text()
    assert "**Interrupted** by SIGINT: partial results below. Resume with `" in report
    assert "sentiment --resume " in report
    assert main(["sentiment", "--resume", str(run_dir), "--logdir", str(tmp_path), *QUIET]) == 0
    resumed = json.loads((run_dir / "results.json").read_text())
    assert resumed["meta"]["resumed_from"] == str(run_dir / "checkpoints" / "default" / "last.ckpt")
    assert comparable(run_dir) == comparable(finished)
