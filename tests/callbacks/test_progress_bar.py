"""The progress bar counts epochs from 1, as every report does, and names the run it belongs to; output that is
not a terminal gets one plain line per epoch instead."""

from __future__ import annotations

import io
import json
import re

import torch
from builders import classifier
from torch.utils.data import DataLoader, TensorDataset

from src.callbacks import EpochHistory, EpochLines, ProgressBar, progress_callback
from src.cli import main


def test_epochs_are_counted_from_one_and_the_run_is_named(cpu_trainer, capsys):
    images, labels = torch.randn(12, 3, 32, 32), torch.randint(0, 10, (12,))
    trainer = cpu_trainer(
        max_epochs=2,
        enable_progress_bar=True,
        callbacks=[ProgressBar(refresh_rate=1, label="zero init")],
        limit_val_batches=0,
    )
    trainer.fit(classifier(lr_decay="none"), train_dataloaders=DataLoader(TensorDataset(images, labels), batch_size=4))
    shown = capsys.readouterr()
    text = shown.out + shown.err
    descriptions = set(re.findall(r"(zero init · )?Epoch (\d+)(/\d+)?", text))
    assert descriptions == {("zero init · ", "1", "/2"), ("zero init · ", "2", "/2")}
    assert "3/3" in text and "v_num" not in text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_the_bar_and_other_output_one_line_per_epoch(capsys):
    assert type(progress_callback(5, "x", stream=Terminal())) is ProgressBar
    assert type(progress_callback(5, "x", stream=io.StringIO())) is EpochLines
    assert type(progress_callback(5, "x")) is EpochLines  # stdout captured by pytest: not a terminal


def test_one_plain_line_per_epoch_with_its_logged_metrics(cpu_trainer, capsys):
    torch.manual_seed(0)
    images, labels = torch.randn(12, 3, 32, 32), torch.randint(0, 10, (12,))
    loader = DataLoader(TensorDataset(images, labels), batch_size=4)
    history = EpochHistory()
    trainer = cpu_trainer(
        max_epochs=2, enable_progress_bar=True, callbacks=[progress_callback(1, "zero init"), history]
    )
    trainer.fit(classifier(lr_decay="none"), train_dataloaders=loader, val_dataloaders=loader)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and len(history.history) == 2
    for line, row in zip(lines, history.history, strict=True):
        metrics = " · ".join(f"{name} {value:.4g}" for name, value in row.items() if name != "epoch")
        assert re.fullmatch(rf"zero init · Epoch {row['epoch']}/2: {re.escape(metrics)} \(\d+\.\d s\)", line), line
    assert [name for name in history.history[0] if name != "epoch"] == [
        "train/acc",
        "train/loss",
        "train/lr",
        "val/acc",
        "val/loss",
    ]


def test_an_lms_run_written_to_a_file_shows_each_rate_mse_per_epoch(tmp_path, capsys):
    assert main(["lms-sweep", "--lrs", "0.01", "0.5", "--epochs", "2", "--logdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    runs = json.loads((tmp_path / "lms-sweep" / "version_0" / "results.json").read_text())["runs"]
    epochs = [line for line in out.splitlines() if line.startswith("Epoch ")]
    assert len(epochs) == 2 and "\r" not in out and "it/s" not in out
    for epoch, line in enumerate(epochs, start=1):
        mse = [f"train/mse lr={run['lr']!r} {run['mse'][epoch]:.4g}" for run in runs]
        assert re.fullmatch(rf"Epoch {epoch}/2: {re.escape(' · '.join(mse))} \(\d+\.\d s\)", line), line
