"""The trained network of a sentiment run, rebuilt from one preset's best checkpoint and the run's vocabulary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch

from src.callbacks.checkpointing import BEST, CHECKPOINTS
from src.data.text import Vocabulary
from src.data.text.buckets import length_sorted_batches, pad_batch
from src.errors import UserError
from src.experiments.predict.trained_model import load_checkpoint_dict, run_results
from src.experiments.sentiment.config import VOCABULARY_FILE
from src.modules.sentiment_rnn import SentimentRNN, positive_logit

MODEL_OPTIONS = ("vocab_size", "embedding_dim", "hidden_dim", "num_layers", "bidirectional", "dropout", "cell")


@dataclass(frozen=True)
class TrainedReviewer:
    model: SentimentRNN  # eval mode, on the CPU
    vocabulary: Vocabulary
    max_len: int
    preset: str
    checkpoint: Path
    description: str  # "default preset, best.ckpt (epoch 5, validation accuracy 74.2 %)"


def is_sentiment_run(run_dir: Path) -> bool:
    return (run_dir / VOCABULARY_FILE).is_file()


def load_trained_reviewer(run_dir: Path, preset: str | None) -> TrainedReviewer:
    folder = run_dir / CHECKPOINTS
    trained = sorted(p.parent.name for p in folder.glob(f"*/{BEST}"))
    if not trained:
        raise UserError(f"{run_dir}: no {CHECKPOINTS}/<preset>/{BEST} (the run has not finished an epoch)")
    results = run_results(run_dir).get("presets") or {}
    if preset is None:
        preset = max(trained, key=lambda p: ((results.get(p) or {}).get("best") or {}).get("val/acc") or 0.0)
    elif preset not in trained:
        raise UserError(f"--variant {preset}: no such preset in this run; it has {', '.join(trained)}")
    vocabulary = Vocabulary.load(run_dir / VOCABULARY_FILE)
    path = folder / preset / BEST
    checkpoint = load_checkpoint_dict(path)
    try:
        hparams = checkpoint["hyper_parameters"]
        options = {key: hparams[key] for key in MODEL_OPTIONS}
        options["output_dim"] = hparams.get("output_dim", 1)  # runs from before the course's two-output head
        state = {k.removeprefix("model."): v for k, v in checkpoint["state_dict"].items() if k.startswith("model.")}
        model = SentimentRNN(**options)
        model.load_state_dict(state)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: not a sentiment checkpoint this project can use ({first})") from None
    if options["vocab_size"] != len(vocabulary):
        raise UserError(
            f"{path}: the model has {options['vocab_size']} words, {run_dir / VOCABULARY_FILE} {len(vocabulary)}"
        )
    best = (results.get(preset) or {}).get("best") or {}
    shown = f"epoch {best['epoch']}, validation accuracy {100 * best['val/acc']:.2f} %" if best else "its best epoch"
    return TrainedReviewer(
        model.eval(), vocabulary, saved_max_len(run_dir), preset, path, f"{preset} preset, {BEST} ({shown})"
    )


def saved_max_len(run_dir: Path) -> int:
    try:
        return int(json.loads((run_dir / "config.json").read_text())["max_len"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{run_dir}: cannot read max_len from config.json ({type(exc).__name__}: {exc})") from None


@torch.no_grad()
def probabilities_positive(
    reviewer: TrainedReviewer, ids: list[torch.Tensor], batch_size: int, device: torch.device
) -> torch.Tensor:
    """Each review's probability of being positive, in the given order: (N,) on the CPU. Batches of reviews of
    similar length, packed: the padding is never read, so a review's result does not depend on its batch."""
    model = reviewer.model.to(device)
    out = torch.zeros(len(ids))
    for batch in length_sorted_batches([len(x) for x in ids], batch_size):
        padded, lengths = pad_batch([ids[i] for i in batch])
        out[torch.tensor(batch)] = torch.sigmoid(positive_logit(model(padded.to(device), lengths))).cpu()
    return out
