"""Every review source, read from tiny files in its real format, and its split; broken files: one line."""

from __future__ import annotations

import csv
import io

import pytest

from src.data.text.reviews import stratified_split
from src.data.text.rotten_tomatoes import FILE, SHA256, corpus_path, load_rotten_tomatoes, read_corpus
from src.data.text.sources import load_reviews
from src.errors import UserError


def write_kaggle(path, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["review", "sentiment"])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def kaggle_rows(n=50):
    return [(f"review number {i}, {'good' if i % 5 else 'bad'}<br />film", "positive" if i % 5 else "negative")
            for i in range(n)]  # fmt: skip


def test_kaggle_csv_is_split_7_1_2_stratified_and_seeded(tmp_path):
    path = write_kaggle(tmp_path / "IMDB Dataset.csv", kaggle_rows(50))  # 40 positive, 10 negative
    splits = load_reviews(str(path), seed=3)
    assert splits.name == "imdb_kaggle" and splits.sizes() == {"train": 35, "val": 5, "test": 10}
    assert [sum(getattr(splits, s).labels) for s in ("train", "val", "test")] == [28, 4, 8]  # 80 % in each
    everything = sorted(splits.train.texts + splits.val.texts + splits.test.texts)
    assert everything == sorted(text for text, _ in kaggle_rows(50))
    assert load_reviews(str(path), seed=3) == splits and load_reviews(str(path), seed=4) != splits


def test_stratified_split_proportions():
    labels = [1] * 700 + [0] * 300
    parts = stratified_split(labels, (7, 1, 2), seed=0)
    assert [len(p) for p in parts] == [700, 100, 200]
    assert [sum(labels[i] for i in p) for p in parts] == [490, 70, 140]
    assert sorted(i for p in parts for i in p) == list(range(1000))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text,label\nfine,1\n", "expected the columns review and sentiment, found label, text"),
        ("review,sentiment\ngood,positive\nbad,meh\n", "line 3: sentiment 'meh', expected positive or negative"),
        ("review,sentiment\ngood,positive\n ,negative\n", "review 2 is empty"),
        ("review,sentiment\ngood,positive\n", "needs positive and negative reviews"),
    ],
)
def test_broken_kaggle_files(tmp_path, content, message):
    path = tmp_path / "reviews.csv"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        load_reviews(str(path), 0)


def test_non_utf8(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes(b"review,sentiment\n\xff\xfe,positive\n")
    with pytest.raises(UserError, match="not UTF-8 text"):
        load_reviews(str(path), 0)


def write_aclimdb(root, per_class=10):
    for split in ("train", "test"):
        for name in ("pos", "neg"):
            folder = root / "aclImdb" / split / name
            folder.mkdir(parents=True)
            for i in range(per_class):
                (folder / f"{i}_{7 if name == 'pos' else 2}.txt").write_text(f"{split} {name} review {i}<br />")
    (root / "aclImdb" / "train" / "unsup").mkdir()
    (root / "aclImdb" / "train" / "unsup" / "0_0.txt").write_text("unlabelled")
    return root


def test_aclimdb_keeps_its_split_and_takes_validation_from_train(tmp_path):
    splits = load_reviews(str(write_aclimdb(tmp_path)), seed=0)
    assert splits.name == "aclimdb" and splits.sizes() == {"train": 18, "val": 2, "test": 20}
    assert sum(splits.val.labels) == 1 and all(t.startswith("test") for t in splits.test.texts)
    assert not any("unlabelled" in t for t in splits.train.texts + splits.val.texts)


def test_an_aclimdb_folder_without_neg(tmp_path):
    write_aclimdb(tmp_path)
    for file in (tmp_path / "aclImdb" / "test" / "neg").iterdir():
        file.unlink()
    (tmp_path / "aclImdb" / "test" / "neg").rmdir()
    with pytest.raises(UserError, match="test: no neg/ folder"):
        load_reviews(str(tmp_path), 0)


def test_parquet_as_hugging_face_saves_it(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    folder = tmp_path / "imdb" / "plain_text"
    folder.mkdir(parents=True)
    for split, n in (("train", 20), ("test", 8)):
        table = pa.table({"text": [f"{split} {i}" for i in range(n)], "label": [i % 2 for i in range(n)]})
        pq.write_table(table, folder / f"{split}-00000-of-00001.parquet")
    pq.write_table(pa.table({"text": ["u"], "label": [-1]}), folder / "unsupervised-00000-of-00001.parquet")
    splits = load_reviews(str(tmp_path / "imdb"), seed=0)
    assert splits.name == "imdb_parquet" and splits.sizes() == {"train": 18, "val": 2, "test": 8}
    pq.write_table(pa.table({"text": ["a", "b"], "label": [0, 7]}), tmp_path / "one.parquet")
    with pytest.raises(UserError, match=r"one\.parquet: column label, row 2: 7, expected 0"):
        load_reviews(str(tmp_path / "one.parquet"), 0)


def test_the_embedded_rotten_tomatoes_reviews():
    reviews = read_corpus(corpus_path())
    assert corpus_path().as_posix().endswith(FILE)
    assert len(reviews) == 12_752  # 12,808 fresh and rotten rows, 56 of them repeats (no plot summaries)
    assert sum(reviews.labels) == 7_368 and len(set(reviews.texts)) == len(reviews)
    splits = load_rotten_tomatoes(seed=0)
    assert sum(splits.sizes().values()) == 12_752
    assert all(abs(getattr(splits, s).positive_fraction() - 7_368 / 12_752) < 0.001 for s in ("train", "val", "test"))


def test_a_tampered_corpus_is_refused(tmp_path):
    copy = tmp_path / "rotten_tomatoes_corpus_full.csv.bz2"
    copy.write_bytes(corpus_path().read_bytes()[:-1] + b"x")
    with pytest.raises(UserError, match=f"sha256 differs from {SHA256}"):
        read_corpus(copy)


def test_a_kaggle_csv_saved_with_a_byte_order_mark(tmp_path):
    path = write_kaggle(tmp_path / "reviews.csv", kaggle_rows(50))
    path.write_bytes("\ufeff".encode() + path.read_bytes())  # as Excel saves "CSV UTF-8"
    assert len(load_reviews(str(path), seed=0).train) == 35


def write_parquet(path, texts, labels):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"text": list(texts), "label": list(labels)}), path)
    return path


def test_float_labels_0_and_1_are_the_integer_labels(tmp_path):
    """A float column (0.0 / 1.0) used to pass as floats and crash the report after training (CLASSES[1.0])."""
    path = write_parquet(
        tmp_path / "reviews.parquet", [f"review {i}" for i in range(20)], [float(i % 2) for i in range(20)]
    )
    splits = load_reviews(str(path), seed=0)
    labels = splits.train.labels + splits.val.labels + splits.test.labels
    assert sorted(labels) == [0] * 10 + [1] * 10 and {type(label) for label in labels} == {int}


@pytest.mark.parametrize(("labels", "shown"), [([0.0, 1.0, 0.5, 1.0], "row 3: 0.5"), ([1, 0, None], "row 3: None")])
def test_a_label_that_is_not_0_or_1_names_the_file_the_column_and_the_row(tmp_path, labels, shown):
    path = write_parquet(tmp_path / "reviews.parquet", [f"review {i}" for i in range(len(labels))], labels)
    with pytest.raises(UserError, match=f"reviews.parquet: column label, {shown}, expected 0 \\(negative\\) or 1"):
        load_reviews(str(path), 0)


def test_a_hugging_face_folder_split_into_files_by_label(tmp_path):
    """Both classes are needed in each split, not in each file: one file per class is a fine split."""
    for split, n in (("train", 20), ("test", 8)):
        for shard, label in enumerate((0, 1)):
            texts = [f"{split} {label} {i}" for i in range(n // 2)]
            write_parquet(tmp_path / "imdb" / f"{split}-0000{shard}-of-00002.parquet", texts, [label] * (n // 2))
    splits = load_reviews(str(tmp_path / "imdb"), seed=0)
    assert splits.sizes() == {"train": 18, "val": 2, "test": 8}
    assert sum(splits.val.labels) == 1 and sum(splits.test.labels) == 4
    (tmp_path / "imdb" / "test-00000-of-00002.parquet").unlink()  # the test split: positive reviews only
    with pytest.raises(
        UserError, match=r"imdb \(test-\*\.parquet\): needs positive and negative reviews, found only positive ones$"
    ):
        load_reviews(str(tmp_path / "imdb"), 0)


def test_one_class_only_is_named_not_shown_as_a_tuple(tmp_path):
    path = write_kaggle(tmp_path / "reviews.csv", [("fine", "negative"), ("dull", "negative")])
    with pytest.raises(UserError, match=r"needs positive and negative reviews, found only negative ones$"):
        load_reviews(str(path), 0)
