"""The sentiment experiment's data: the reviews, the vocabulary of the training split, every split encoded."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from src.data.text import (
    EncodedReviews,
    ReviewSplits,
    Vocabulary,
    encode_reviews,
    load_reviews,
    stop_words,
    tokenize,
)
from src.data.text.buckets import BucketBatchSampler, padding_fraction
from src.data.text.vocabulary import SPECIAL_TOKENS
from src.errors import UserError
from src.experiments.sentiment.config import SentimentConfig

SPLITS = ("train", "val", "test")
NEGATIONS = ("cannot", "neither", "never", "no", "nobody", "none", "nor", "not", "nothing", "nowhere", "without")


@dataclass(frozen=True)
class SentimentData:
    splits: ReviewSplits
    vocabulary: Vocabulary
    encoded: dict[str, EncodedReviews]  # "train", "val", "test"
    processing: dict  # what text processing did and how long it took (results.json's "text")


def prepare_reviews(cfg: SentimentConfig) -> SentimentData:
    splits = load_reviews(cfg.data, cfg.seed)
    for name in SPLITS:
        reviews = getattr(splits, name)
        if len(reviews) == 0:
            raise UserError(f"--data {cfg.data}: the {name} split has no reviews ({splits.split})")
    if len(set(splits.train.labels)) < 2:
        only = "positive" if splits.train.labels[0] == 1 else "negative"
        raise UserError(f"--data {cfg.data}: the training split has only {only} reviews")
    started = time.perf_counter()
    tokenized = [tokenize(text) for text in splits.train.texts]
    vocabulary = Vocabulary.build(tokenized, cfg.min_freq)
    if len(vocabulary) == len(SPECIAL_TOKENS):
        raise UserError(no_words_message(tokenized, cfg.min_freq))
    encoded = {"train": encode_reviews(splits.train, vocabulary, cfg.max_len, tokenized)}
    encoded |= {name: encode_reviews(getattr(splits, name), vocabulary, cfg.max_len) for name in ("val", "test")}
    seconds = time.perf_counter() - started
    reviews = sum(len(e) for e in encoded.values())
    processing = {
        "seconds": seconds,
        "reviews": reviews,
        "reviews_per_s": reviews / seconds if seconds > 0 else None,
        "vocabulary_size": len(vocabulary),
        "min_freq": cfg.min_freq,
        "max_len": cfg.max_len,
        "stop_words": len(stop_words()),
        "negations_removed": [word for word in NEGATIONS if word in stop_words()],
        "per_split": {name: split_statistics(e, vocabulary) for name, e in encoded.items()},
    }
    return SentimentData(splits, vocabulary, encoded, processing)


def no_words_message(tokenized: list[list[str]], min_freq: int) -> str:
    """Why the vocabulary has no word: every review would be read as <unk> alone, and nothing learnt."""
    counts = Counter(token for tokens in tokenized for token in tokens)
    if not counts:
        return f"the {len(tokenized):,} training reviews have no word left after removing stop words and punctuation"
    word, most = counts.most_common(1)[0]
    return (
        f"--min-freq {min_freq}: no word occurs {min_freq:,} times in the {len(tokenized):,} training reviews (the "
        f"most frequent, {word!r}, occurs {most:,} times), so the vocabulary would hold only <pad> and <unk>; give "
        f"--min-freq {most} or less"
    )


def split_statistics(encoded: EncodedReviews, vocabulary: Vocabulary) -> dict:
    lengths = encoded.lengths.numpy()
    ids = np.concatenate([t.numpy() for t in encoded.ids])
    return {
        "reviews": len(encoded),
        "tokens": int(lengths.sum()),
        "mean_length": float(lengths.mean()),
        "median_length": float(np.median(lengths)),
        "max_length": int(lengths.max()),
        "truncated": encoded.truncated,
        "empty": encoded.empty,
        "unknown_fraction": float((ids == vocabulary.index["<unk>"]).mean()),
    }


def padding_report(encoded: EncodedReviews, batch_size: int, seed: int) -> dict:
    """The padded share of the first epoch's training batches, bucketed by length and random, at `batch_size`."""
    lengths = encoded.lengths.tolist()
    fractions = {
        mode: padding_fraction(lengths, BucketBatchSampler(lengths, batch_size, seed, bucketed).epoch_batches(0))
        for mode, bucketed in (("bucketed", True), ("random", False))
    }
    return {"batch_size": batch_size, **fractions}
