"""The Lightning fit of one preset: ReviewDataModule, SentimentClassifier, observers and a Trainer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytorch_lightning.callbacks import Callback

from src.callbacks import EpochHistory
from src.callbacks.epoch_timer import EpochTimer
from src.callbacks.gate_histograms import GateHistograms
from src.data.text import ReviewDataModule
from src.experiments.fit import Fit
from src.experiments.sentiment.config import SentimentConfig
from src.experiments.sentiment.data import SentimentData
from src.experiments.sentiment.presets import PresetSettings
from src.experiments.trainer_factory import build_trainer
from src.modules.sentiment_classifier import SentimentClassifier


@dataclass(frozen=True)
class SentimentFit(Fit):
    preset: str
    settings: PresetSettings
    history: EpochHistory
    timer: EpochTimer


def build_sentiment_module(settings: PresetSettings, vocab_size: int, test_size: int) -> SentimentClassifier:
    return SentimentClassifier(
        vocab_size=vocab_size,
        embedding_dim=settings.embedding_dim,
        hidden_dim=settings.hidden_dim,
        num_layers=settings.num_layers,
        bidirectional=settings.bidirectional,
        dropout=settings.dropout,
        cell=settings.cell,
        course_init=settings.init == "course",
        output_dim=settings.output_dim,
        lr=settings.lr,
        eps=settings.eps,
        weight_decay=settings.weight_decay,
        warmup_steps=settings.warmup_steps,
        test_size=test_size,
    )


def build_sentiment_fit(
    cfg: SentimentConfig,
    preset: str,
    settings: PresetSettings,
    data: SentimentData,
    log_dir: Path,
    checkpointing: Sequence[Callback] = (),
) -> SentimentFit:
    """One preset's fit, logging to `log_dir` (the preset's TensorBoard sub-run)."""
    encoded = data.encoded
    datamodule = ReviewDataModule(
        encoded["train"],
        encoded["val"],
        encoded["test"],
        settings.batch_size,
        cfg.eval_batch_size,
        cfg.seed,
        cfg.bucketed,
    )
    module = build_sentiment_module(settings, len(data.vocabulary), len(encoded["test"]))
    history, timer = EpochHistory(), EpochTimer()
    callbacks = [history, timer, GateHistograms(cfg.weight_every, cfg.grad_every), *checkpointing]
    trainer = build_trainer(
        log_dir,
        max_epochs=settings.epochs,
        callbacks=callbacks,
        accelerator=cfg.accelerator,
        devices=1,
        precision="32-true",
        progress_bar_refresh=5 if cfg.progress_bar else None,
        progress_label=preset,
        enable_checkpointing=bool(checkpointing),
        deterministic=cfg.deterministic or None,
    )
    return SentimentFit(trainer, module, datamodule, preset, settings, history, timer)
