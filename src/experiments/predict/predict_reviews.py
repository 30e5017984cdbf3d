"""predict on a sentiment run: the label and probability of each text given, from one preset's best epoch."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import torch

from src.atomic import write_atomic
from src.data.text import Reviews, encode_reviews, tokenize
from src.errors import UserError
from src.experiments.predict.config import PredictConfig
from src.experiments.predict.trained_reviewer import load_trained_reviewer, probabilities_positive
from src.experiments.sentiment.config import PREDICTIONS_FILE
from src.experiments.wording import count
from src.shell import shown_path

SHOWN = 70  # characters of a text in its console line


def read_texts(cfg: PredictConfig) -> list[str]:
    """--text's texts, then --text-file's lines (UTF-8; blank lines are not texts and are skipped)."""
    texts = list(cfg.text or ())
    for number, text in enumerate(texts, start=1):
        if not text.strip():
            raise UserError(f"--text: text {number} is empty")
    if cfg.text_file is not None:
        try:
            content = cfg.text_file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise UserError(f"--text-file {cfg.text_file}: not UTF-8 text (byte {exc.start})") from None
        except OSError as exc:
            raise UserError(f"--text-file {cfg.text_file}: cannot read it ({exc.strerror or exc})") from None
        lines = [line for line in content.splitlines() if line.strip()]
        if not lines:
            raise UserError(f"--text-file {cfg.text_file}: no text in it (one text per line)")
        texts += lines
    return texts


def predict_reviews(cfg: PredictConfig, device: torch.device) -> dict:
    if cfg.data_dir is not None:
        raise UserError(f"--data-dir: {cfg.run} is a sentiment run; give texts with --text or --text-file")
    texts = read_texts(cfg)
    if not texts:
        raise UserError(
            f"{cfg.run} is a sentiment run: give --text TEXT [TEXT ...] or --text-file FILE (the predictions for "
            f"its test set are in {shown_path(cfg.run / PREDICTIONS_FILE)})"
        )
    reviewer = load_trained_reviewer(cfg.run, cfg.variant)
    tokenized = [tokenize(text) for text in texts]
    reviews = Reviews(tuple(texts), (0,) * len(texts))
    encoded = encode_reviews(reviews, reviewer.vocabulary, reviewer.max_len, tokenized)
    probabilities = probabilities_positive(reviewer, list(encoded.ids), cfg.batch_size, device)
    index = reviewer.vocabulary.index
    rows = []
    for text, words, p in zip(texts, tokenized, probabilities.tolist(), strict=True):
        tokens = words[: reviewer.max_len]
        rows.append(
            {
                "text": text,
                "label": "positive" if p > 0.5 else "negative",
                "probability_positive": p,
                "words": len(tokens),
                "known_words": sum(token in index for token in tokens),
            }
        )
    summary = {"run": str(cfg.run), "checkpoint": str(reviewer.checkpoint), "model": reviewer.description}
    summary["predictions"] = rows
    if cfg.output is not None:
        write_atomic(cfg.output, predictions_csv(rows))
        write_atomic(cfg.output.with_suffix(".json"), json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        summary["written"] = str(cfg.output)
    print(console_lines(summary, cfg.output))
    return summary


def predictions_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["text", "label", "probability_positive"])
    writer.writerows([row["text"], row["label"], f"{row['probability_positive']:.6f}"] for row in rows)
    return out.getvalue()


def console_lines(summary: dict, output: Path | None) -> str:
    lines = [f"{count(len(summary['predictions']), 'text')}, classified by {summary['model']}:"]
    for row in summary["predictions"]:
        text = " ".join(row["text"].split())
        shown = text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
        note = ""
        if not row["words"]:
            note = "  (no word left after removing stop words: read as one <unk>)"
        elif not row["known_words"]:
            note = "  (none of its words is in the vocabulary)"
        lines.append(f"  {row['label']:8s} {row['probability_positive']:.3f}  {shown}{note}")
    lines.append("(the probability of positive; positive above 0.5)")
    if output is not None:
        lines.append(f"predictions: {shown_path(output)} (text,label,probability_positive)")
    return "\n".join(lines)
