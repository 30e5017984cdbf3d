"""IMDB reviews from a user's local copy, in the three forms people have: Kaggle's "IMDB Dataset of 50K Movie
Reviews" CSV, Stanford's original aclImdb/ folder, and Hugging Face's `imdb` saved as parquet. Broken files
(wrong columns, unknown labels, empty texts, non-UTF-8, a folder without pos/neg) get a one-line error; nothing
is downloaded or silently fixed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from src.data.text.reviews import Reviews, ReviewSplits, stratified_split
from src.errors import UserError

KAGGLE_LABELS = {"positive": 1, "negative": 0}
FRACTIONS = (7, 1, 2)  # the course's train / validation / test split of the 50,000 reviews
VAL_OF_TRAIN = 0.1  # aclImdb and parquet keep their own test split; validation is 10 % of train


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _checked_texts(reviews: Reviews, where: str) -> Reviews:
    empty = next((i for i, text in enumerate(reviews.texts) if not text.strip()), None)
    if empty is not None:
        raise UserError(f"{where}: review {empty + 1} is empty")
    return reviews


def _checked_classes(reviews: Reviews, where: str) -> Reviews:
    if not reviews.labels:
        raise UserError(f"{where}: no reviews in it")
    if len(set(reviews.labels)) < 2:
        only = "positive" if reviews.labels[0] == 1 else "negative"
        raise UserError(f"{where}: needs positive and negative reviews, found only {only} ones")
    return reviews


def _checked(reviews: Reviews, where: str) -> Reviews:
    return _checked_classes(_checked_texts(reviews, where), where)


def parquet_labels(values: list, where: str) -> tuple[int, ...]:
    """0 and 1 as integers: a float column's exact 0.0 and 1.0 are the same labels (some exporters write labels
    as floats); 0.5, NaN, text or anything else is refused."""
    labels = []
    for row, value in enumerate(values, start=1):
        if not isinstance(value, (int, float)) or value not in (0, 1):
            raise UserError(f"{where}: column label, row {row}: {value!r}, expected 0 (negative) or 1 (positive)")
        labels.append(int(value))
    return tuple(labels)


def read_kaggle_csv(path: Path, seed: int) -> ReviewSplits:
    text = _text(path).removeprefix("\ufeff")  # the byte-order mark Excel writes before a UTF-8 CSV
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:
        raise UserError(f"{path}: not a readable CSV ({exc})") from None
    columns = set(rows[0]) if rows else set()
    if not {"review", "sentiment"} <= columns:
        raise UserError(
            f"{path}: expected the columns review and sentiment, found {', '.join(sorted(columns)) or 'none'}"
        )
    labels = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        label = KAGGLE_LABELS.get((row["sentiment"] or "").strip().lower())
        if label is None:
            raise UserError(f"{path}: line {number}: sentiment {row['sentiment']!r}, expected positive or negative")
        labels.append(label)
    reviews = _checked(Reviews(tuple(row["review"] or "" for row in rows), tuple(labels)), str(path))
    train, val, test = (reviews.subset(part) for part in stratified_split(reviews.labels, FRACTIONS, seed))
    return ReviewSplits("imdb_kaggle", str(path), train, val, test, "7:1:2, stratified, seeded")


def find_aclimdb(path: Path) -> Path | None:
    for folder in (path, path / "aclImdb"):
        if (folder / "train").is_dir() and (folder / "test").is_dir():
            return folder
    return None


def read_aclimdb(folder: Path, seed: int) -> ReviewSplits:
    """train/{pos,neg}/*.txt and test/{pos,neg}/*.txt (unsup/ is ignored); files in name order."""
    parts = {}
    for split in ("train", "test"):
        texts, labels = [], []
        for name, label in (("pos", 1), ("neg", 0)):
            directory = folder / split / name
            if not directory.is_dir():
                raise UserError(f"{folder / split}: no {name}/ folder (aclImdb has train|test/pos|neg/*.txt)")
            files = sorted(directory.glob("*.txt"))
            if not files:
                raise UserError(f"{directory}: no .txt reviews")
            texts += [_text(file) for file in files]
            labels += [label] * len(files)
        parts[split] = _checked(Reviews(tuple(texts), tuple(labels)), str(folder / split))
    val_part, train_part = stratified_split(parts["train"].labels, (VAL_OF_TRAIN, 1 - VAL_OF_TRAIN), seed)
    train, val = parts["train"].subset(train_part), parts["train"].subset(val_part)
    return ReviewSplits("aclimdb", str(folder), train, val, parts["test"], "aclImdb's train/test; val: 10 % of train")


def read_parquet(path: Path, seed: int) -> ReviewSplits:
    """One parquet file (split 7:1:2), or a folder of Hugging Face's files (train-*.parquet, test-*.parquet;
    unsupervised-* ignored), with columns text and label (1 = positive, 0 = negative)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UserError(f"{path}: reading parquet needs pyarrow (pip install pyarrow)") from None

    def read(file: Path) -> Reviews:
        try:
            table = pq.read_table(file, columns=["text", "label"]).to_pydict()
        except Exception as exc:  # a broken file or missing columns fail in pyarrow in several ways
            raise UserError(f"{file}: not a parquet file with columns text and label ({type(exc).__name__})") from None
        labels = parquet_labels(table["label"], str(file))
        return _checked_texts(Reviews(tuple(t or "" for t in table["text"]), labels), str(file))

    if path.is_file():
        reviews = _checked_classes(read(path), str(path))
        train, val, test = (reviews.subset(p) for p in stratified_split(reviews.labels, FRACTIONS, seed))
        return ReviewSplits("imdb_parquet", str(path), train, val, test, "7:1:2, stratified, seeded")
    found = {split: sorted(path.rglob(f"{split}-*.parquet")) for split in ("train", "test")}
    if not found["train"] or not found["test"]:
        raise UserError(f"{path}: expected train-*.parquet and test-*.parquet (Hugging Face's imdb)")
    parts = {}
    for split, files in found.items():
        pieces = [read(file) for file in files]
        reviews = Reviews(sum((p.texts for p in pieces), ()), sum((p.labels for p in pieces), ()))
        # Per split, not per file: a split saved as one file per class holds both classes all the same.
        parts[split] = _checked_classes(reviews, f"{path} ({split}-*.parquet)")
    val_part, train_part = stratified_split(parts["train"].labels, (VAL_OF_TRAIN, 1 - VAL_OF_TRAIN), seed)
    train, val = parts["train"].subset(train_part), parts["train"].subset(val_part)
    return ReviewSplits("imdb_parquet", str(path), train, val, parts["test"], "its train/test; val: 10 % of train")
