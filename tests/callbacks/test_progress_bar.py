"""The progress bar counts epochs from 1, as every report does, and names the run it belongs to."""

from __future__ import annotations

import re

import torch
from builders import classifier
from torch.utils.data import DataLoader, TensorDataset

from src.callbacks import ProgressBar


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
