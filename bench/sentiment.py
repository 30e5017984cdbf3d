"""Sentiment speed: the Lightning fit of `train.py sentiment` (default preset, its weight and gradient histograms
included, and without them) against a plain PyTorch loop with the same model, batches, optimizer, warm-up and
metrics; text processing of 50,000 IMDB-length reviews; the
padding that length bucketing saves.

Reviews: the embedded Rotten Tomatoes snippets (real text, offline). The text-processing measurement joins them
into 50,000 reviews of IMDB's mean length (about 230 words), as Kaggle's IMDB CSV holds. Each fit's first epoch
is warm-up and not counted; the variants alternate in every repetition; rates are each variant's fastest
steady epoch (the median of per-repetition ratios is printed too). Prints one JSON object.
Usage: python bench/sentiment.py [--reps 3] [--epochs 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import itertools
import random
import sys
import tempfile
import time
from pathlib import Path

import torch

if __package__ in (None, ""):  # `python bench/x.py`: make the repository root importable as in `-m bench.x`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.classify import steady_rate
from bench.common import EpochTimer, emit, interleaved, median, setup_quiet, sync_device
from src.data.text import Reviews, Vocabulary, encode_reviews, tokenize
from src.data.text.buckets import BucketBatchSampler, length_sorted_batches, pad_batch
from src.experiments.sentiment.config import SentimentConfig
from src.experiments.sentiment.data import SentimentData, padding_report, prepare_reviews
from src.experiments.sentiment.fit import build_sentiment_fit
from src.experiments.sentiment.presets import preset_settings
from src.modules.sentiment_classifier import StageMetrics, WarmupFactor, head_loss
from src.modules.sentiment_rnn import SentimentRNN, positive_logit

IMDB_REVIEWS, IMDB_MEAN_WORDS = 50_000, 230


def bench_config(epochs: int) -> SentimentConfig:
    return SentimentConfig(presets=("default",), epochs=epochs, progress_bar=False, accelerator="auto")


def lightning_epochs(data: SentimentData, cfg: SentimentConfig) -> list[float]:
    """Epoch durations of the default preset's fit as `train.py sentiment` runs it, histograms included."""
    settings = preset_settings(cfg, "default")
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        log_dir = Path(tmp) / "bench" / "version_0" / "default"
        log_dir.mkdir(parents=True)
        torch.manual_seed(0)
        fit = build_sentiment_fit(cfg, "default", settings, data, log_dir)
        timer = EpochTimer()
        fit.trainer.callbacks.append(timer)
        fit.run()
        return timer.durations


def plain_epochs(data: SentimentData, cfg: SentimentConfig) -> list[float]:
    """The same training as a plain loop: SentimentRNN, the same bucketed batches, Adam with the warm-up, exact
    epoch metrics, validation every epoch."""
    settings = preset_settings(cfg, "default")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(0)
    model = SentimentRNN(
        len(data.vocabulary), settings.embedding_dim, settings.hidden_dim, settings.num_layers,
        settings.bidirectional, settings.dropout, settings.cell, settings.init == "course", settings.output_dim,
    ).to(device)  # fmt: skip
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr, eps=settings.eps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, WarmupFactor(settings.warmup_steps))
    train, val = data.encoded["train"], data.encoded["val"]
    sampler = BucketBatchSampler(train.lengths.tolist(), settings.batch_size, cfg.seed, cfg.bucketed)
    val_batches = length_sorted_batches(val.lengths.tolist(), cfg.eval_batch_size)
    train_metrics, val_metrics = StageMetrics().to(device), StageMetrics().to(device)
    starts = []
    for epoch in range(settings.epochs):
        sync_device()
        starts.append(time.perf_counter())
        model.train()
        for batch in sampler.epoch_batches(epoch):
            ids, lengths = pad_batch([train.ids[i] for i in batch])
            labels = train.labels[torch.tensor(batch)].to(device)
            outputs = model(ids.to(device), lengths)
            loss, logits = head_loss(outputs, labels), positive_logit(outputs)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            train_metrics.update(loss.detach(), logits.detach(), labels)
        train_metrics.compute_and_reset()
        model.eval()
        with torch.no_grad():
            for batch in val_batches:
                ids, lengths = pad_batch([val.ids[i] for i in batch])
                labels = val.labels[torch.tensor(batch)].to(device)
                outputs = model(ids.to(device), lengths)
                val_metrics.update(head_loss(outputs, labels), positive_logit(outputs), labels)
        val_metrics.compute_and_reset()
    sync_device()
    starts.append(time.perf_counter())
    return [b - a for a, b in itertools.pairwise(starts)]


def imdb_sized_reviews(snippets: tuple[str, ...], count: int, words: int) -> Reviews:
    """`count` reviews of about `words` words each, made of real snippets drawn with a fixed seed."""
    rng = random.Random(0)
    mean_words = sum(len(s.split()) for s in snippets) / len(snippets)
    per_review = max(1, round(words / mean_words))
    texts = tuple(" ".join(rng.choices(snippets, k=per_review)) + "<br /><br />" for _ in range(count))
    return Reviews(texts, tuple(k % 2 for k in range(count)))


def text_processing(snippets: tuple[str, ...], count: int) -> dict:
    """Seconds to tokenise `count` IMDB-length reviews, build the vocabulary (min_freq 5) and encode them."""
    reviews = imdb_sized_reviews(snippets, count, IMDB_MEAN_WORDS)
    started = time.perf_counter()
    tokenized = [tokenize(text) for text in reviews.texts]
    tokenised_s = time.perf_counter() - started
    vocabulary = Vocabulary.build(tokenized, min_freq=5)
    encode_reviews(reviews, vocabulary, 256, tokenized)
    seconds = time.perf_counter() - started
    return {
        "reviews": count,
        "mean_words": sum(len(t.split()) for t in reviews.texts) / count,
        "tokenise_s": tokenised_s,
        "tokenise_vocabulary_encode_s": seconds,
        "reviews_per_s": count / seconds,
        "vocabulary_size": len(vocabulary),
    }


def run(reps: int = 3, epochs: int = 3, imdb_reviews: int = IMDB_REVIEWS) -> dict:
    started = time.perf_counter()
    cfg = bench_config(epochs)
    data = prepare_reviews(cfg)
    n = len(data.encoded["train"])
    unmonitored = dataclasses.replace(cfg, grad_every=10**9, weight_every=10**9)  # no histograms after the first
    variants = {
        "lightning": lambda: lightning_epochs(data, cfg),
        "plain_torch": lambda: plain_epochs(data, cfg),
        "lightning_without_histograms": lambda: lightning_epochs(data, unmonitored),
    }
    samples = interleaved(variants, reps, warmup=0)
    # This machine's speed drifts by +-20 % over tens of seconds (measured: one fit's epochs took 3.1 to 4.9 s),
    # and noise only ever slows a run down: each variant's rate is its fastest steady epoch over all repetitions.
    best = {name: n / min(min(durations[1:]) for durations in samples[name]) for name in variants}
    per_rep = [{name: steady_rate(samples[name][i], n) for name in variants} for i in range(reps)]
    ratios = {
        "lightning_over_plain_torch": best["lightning"] / best["plain_torch"],
        "lightning_without_histograms_over_plain_torch": best["lightning_without_histograms"] / best["plain_torch"],
        "median_of_repetitions": {
            "lightning_over_plain_torch": median([rep["lightning"] / rep["plain_torch"] for rep in per_rep]),
            "lightning_without_histograms_over_plain_torch": median(
                [rep["lightning_without_histograms"] / rep["plain_torch"] for rep in per_rep]
            ),
        },
    }
    settings = preset_settings(cfg, "default")
    return {
        "data": f"{data.splits.name}: {n:,} training reviews, {data.processing['vocabulary_size']:,} words",
        "preset": "default",
        "settings": dataclasses.asdict(settings),
        "device": "cuda" if torch.cuda.is_available() else "cpu",
        "cudnn": torch.backends.cudnn.is_available() and torch.cuda.is_available(),
        "reviews_per_s": best,
        "ratios": ratios,
        "targets": {"lightning_over_plain_torch": ">= 0.95"},
        "padding": padding_report(data.encoded["train"], settings.batch_size, cfg.seed),
        "text_processing": text_processing(data.splits.train.texts, imdb_reviews),
        "elapsed_s": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3, help="repetitions; the median is reported")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per fit (the first is warm-up)")
    parser.add_argument("--imdb-reviews", type=int, default=IMDB_REVIEWS, help="reviews for text processing")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    setup_quiet()
    emit(run(args.reps, args.epochs, args.imdb_reviews), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
