"""The sentiment experiment's steps: the vocabulary, the bag-of-words baseline, each preset trained in turn and
its best epoch tested, results side by side, the curves, the report."""

from __future__ import annotations

import csv
import dataclasses
import io
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch

from src.analysis import LayerTable, layer_summary
from src.atomic import write_atomic
from src.callbacks import GracefulInterrupt
from src.callbacks.checkpointing import LAST
from src.callbacks.layer_summary_callback import CSV_NAME, publish_layer_table
from src.data.text import Vocabulary
from src.errors import UserError
from src.experiments.confusion import confusion_figure, confusion_markdown
from src.experiments.figures import FigureFile, FigureSink
from src.experiments.overfitting import overfitting
from src.experiments.ranks import is_rank_zero
from src.experiments.run_context import RunContext
from src.experiments.sentiment.analysis import (
    CLASSES,
    majority_baseline,
    most_confidently_wrong,
    published_reference,
    review_outcome,
    test_confusion,
)
from src.experiments.sentiment.baseline import BagOfWords, bag_of_words_results, fit_bag_of_words
from src.experiments.sentiment.config import PREDICTIONS_FILE, VOCABULARY_FILE, SentimentConfig
from src.experiments.sentiment.data import SentimentData, padding_report, prepare_reviews
from src.experiments.sentiment.figures import sentiment_curves_figure
from src.experiments.sentiment.fit import SentimentFit, build_sentiment_fit
from src.experiments.sentiment.presets import PRESETS, overrides, preset_settings
from src.experiments.sentiment.report import render_sentiment_report
from src.experiments.sentiment.summary import sentiment_summary
from src.experiments.steps import Run, Steps

BAG_OF_WORDS = "bag_of_words"  # the baseline's column in test_predictions.csv: bag_of_words_probability_positive
PROJECTED_WORDS = 10_000  # the most frequent words in TensorBoard's projector (a larger vocabulary is cut)
WRONG_SHOWN = 5


@dataclass(frozen=True)
class PresetRun:
    fit: SentimentFit
    table: LayerTable  # per token: one review of one token (the linear layer's MACs are per review)
    tested: dict | None  # test metrics of the best epoch; None while interrupted
    probabilities: torch.Tensor | None  # (test reviews,) probability of positive, in review order


@dataclass(frozen=True)
class Trained:
    presets: dict[str, PresetRun]  # in training order; an interrupted run has the ones it reached
    bag_of_words: BagOfWords  # the baseline, fitted before the presets (in about a second)


def per_token_table(model: torch.nn.Module) -> LayerTable:
    device = next(model.parameters()).device
    ids, lengths = torch.ones(1, 1, dtype=torch.int64, device=device), torch.tensor([1])
    return layer_summary(model, (ids, lengths))


def keep_vocabulary(vocabulary: Vocabulary, run_dir: Path, resumed: bool) -> None:
    """The run's vocabulary, for predict; a resumed run must have rebuilt the very same one."""
    path = run_dir / VOCABULARY_FILE
    if not resumed or not path.exists():
        vocabulary.save(path)
    elif Vocabulary.load(path) != vocabulary:
        raise UserError(f"--resume {run_dir}: the reviews give a different vocabulary than {path}: the data changed")


def project_embeddings(fit: SentimentFit, vocabulary: Vocabulary, log_dir: Path) -> None:
    """The best epoch's word vectors in TensorBoard's Projector, labelled with their words (once per run)."""
    if fit.settings.embedding_dim < 2 or (log_dir / "projector_config.pbtxt").exists():
        return
    count = min(len(vocabulary), PROJECTED_WORDS + 1)
    vectors = fit.module.model.embedding.weight.detach()[1:count].float().cpu()  # without <pad>
    writer = fit.trainer.logger.experiment
    writer.add_embedding(vectors, metadata=list(vocabulary.tokens[1:count]), tag="embedding")
    writer.flush()


class SentimentSteps(Steps[SentimentConfig, SentimentData, Trained]):
    def prepare(self, cfg: SentimentConfig) -> SentimentData:
        return prepare_reviews(cfg)

    def train(self, cfg: SentimentConfig, data: SentimentData, context: RunContext) -> Trained:
        if is_rank_zero():
            keep_vocabulary(data.vocabulary, context.run_dir, context.resume is not None)
        bag_of_words = fit_bag_of_words(data.splits.train, data.splits.test, cfg.seed)
        runs: dict[str, PresetRun] = {}
        for preset in cfg.presets:
            settings = preset_settings(cfg, preset)
            pl.seed_everything(cfg.seed, workers=True, verbose=False)  # each preset as if it ran alone
            checkpointing = context.checkpoint_callbacks(1, "val/loss", mode="min", part=preset)
            log_dir = context.run_dir / preset
            fit = build_sentiment_fit(cfg, preset, settings, data, log_dir, checkpointing)
            table = per_token_table(fit.module.model)
            if not (log_dir / CSV_NAME).exists():
                publish_layer_table(table, fit.trainer.logger.experiment, log_dir)
            # The fit's own handlers, held from its training through its test: a signal in the last epoch's
            # validation or in the test stops the run after it, instead of going unnoticed.
            interrupt = next(c for c in fit.trainer.callbacks if isinstance(c, GracefulInterrupt))
            tested, probabilities = None, None
            with interrupt.holding():
                if context.fit(fit, part=preset) and interrupt.received is None:
                    tested = fit.test_best()  # the best weights are the module's from here on
                    probabilities = fit.module.test_probabilities.clone()
                    project_embeddings(fit, data.vocabulary, log_dir)
            if interrupt.received is not None and context.interruption is None:  # after training: last.ckpt
                context.stopped(interrupt.received, fit.trainer, interrupt.checkpoint_path.parent / LAST)
            runs[preset] = PresetRun(fit, table, tested, probabilities)
            if context.interruption is not None:
                break
        trained = Trained(runs, bag_of_words)
        if context.interruption is None:
            write_atomic(context.run_dir / PREDICTIONS_FILE, predictions_csv(data, trained))
        return trained

    def results(self, cfg: SentimentConfig, data: SentimentData, trained: Trained) -> dict:
        splits, encoded = data.splits, data.encoded
        test_labels = encoded["test"].labels
        presets = {}
        for preset, run in trained.presets.items():
            presets[preset] = preset_results(cfg, data, run)
        probabilities = {p: run.probabilities for p, run in trained.presets.items() if run.probabilities is not None}
        first = min(cfg.examples, len(test_labels))
        examples = [
            review_outcome(i, splits.test, encoded["test"], data.vocabulary, probabilities) for i in range(first)
        ]
        wrong = {
            preset: [
                review_outcome(i, splits.test, encoded["test"], data.vocabulary, {preset: p})
                for i in most_confidently_wrong(p, test_labels, WRONG_SHOWN)
            ]
            for preset, p in probabilities.items()
        }
        return {
            "data": splits.describe(),
            "text": data.processing,
            "presets": presets,
            "overrides": overrides(cfg),
            "majority_baseline": majority_baseline(encoded["train"].labels, test_labels),
            "bag_of_words": bag_of_words_results(trained.bag_of_words, test_labels),
            "reference": published_reference(splits.name),
            "examples": examples,
            "most_confidently_wrong": wrong,
            "predictions_file": PREDICTIONS_FILE if probabilities else None,
            "config": {"device": device_of(trained)},
        }

    def figures(self, results: dict, data: SentimentData, trained: Trained, sink: FigureSink) -> dict[str, FigureFile]:
        histories = {p: r["history"] for p, r in results["presets"].items() if r["history"]}
        figures = {}
        if histories:
            figure = sentiment_curves_figure(histories)
            figures["curves"] = sink.save(figure, "learning_curves", "loss and validation accuracy per epoch")
        for preset, result in results["presets"].items():
            if result["test"] is None:
                continue
            confusion = result["test"]["confusion"]
            title = f"{preset}: test set, best epoch ({result['best']['epoch']})"
            figures[f"confusion_{preset}"] = sink.save(
                confusion_figure(confusion, CLASSES, title), f"confusion_{preset}", f"{preset}: confusion matrix"
            )
            sink.text(f"test/confusion_matrix/{preset}", confusion_markdown(confusion, CLASSES))
        return figures

    def report(self, results: dict, figures: dict[str, FigureFile], trained: Trained) -> str:
        tables = {preset: run.table for preset, run in trained.presets.items()}
        return render_sentiment_report(results, tables, figures)

    def summary(self, run: Run) -> list[str]:
        tables = [run.trained.presets[p].table.console_block(f"{p} preset") for p in run.trained.presets]
        return [*tables, sentiment_summary(run.results)]


def preset_results(cfg: SentimentConfig, data: SentimentData, run: PresetRun) -> dict:
    history = run.fit.history.history
    best = min(history, key=lambda row: row["val/loss"]) if history else None
    seconds, train_seconds = run.fit.timer.seconds, run.fit.timer.train_seconds  # train: without validation
    train_reviews = len(data.encoded["train"])
    test = None
    if run.tested is not None:
        test = {key.removeprefix("test/"): value for key, value in run.tested.items()}
        test["confusion"] = test_confusion(run.probabilities, data.encoded["test"].labels)
    recurrent = next(row for row in run.table.rows if row.name == "rnn")
    own, settings = dataclasses.asdict(PRESETS[run.fit.preset]), dataclasses.asdict(run.fit.settings)
    return {
        "settings": settings,
        "changed": {k: v for k, v in settings.items() if own[k] != v},
        "model": {
            "params": run.table.total_params,
            "recurrent_macs_per_token": recurrent.macs,
            "macs_per_token": run.table.total_macs,
        },
        **run.table.as_dict(),
        "history": history,
        "best": None if best is None else {"epoch": best["epoch"], **{k: v for k, v in best.items() if "/" in k}},
        "overfitting": overfitting(history),
        "test": test,
        "epoch_seconds": {str(epoch): s for epoch, s in sorted(seconds.items())},  # validation included
        "train_seconds": {str(epoch): s for epoch, s in sorted(train_seconds.items())},  # training alone
        "train_reviews_per_s": train_reviews / statistics.median(train_seconds.values()) if train_seconds else None,
        "padding": padding_report(data.encoded["train"], run.fit.settings.batch_size, cfg.seed),
    }


def device_of(trained: Trained) -> str | None:
    for run in trained.presets.values():
        return str(run.fit.trainer.strategy.root_device)
    return None


def predictions_csv(data: SentimentData, trained: Trained) -> str:
    """One row per test review, in review order: its index, true label, each preset's probability of
    positive, the bag-of-words baseline's, and its text."""
    columns = {p: run.probabilities for p, run in trained.presets.items() if run.probabilities is not None}
    columns[BAG_OF_WORDS] = trained.bag_of_words.probabilities
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["index", "label", *(f"{name}_probability_positive" for name in columns), "text"])
    test = data.splits.test
    for i, (text, label) in enumerate(zip(test.texts, test.labels, strict=True)):
        probabilities = [f"{float(p[i]):.6f}" for p in columns.values()]
        writer.writerow([i, CLASSES[label], *probabilities, text])
    return out.getvalue()
