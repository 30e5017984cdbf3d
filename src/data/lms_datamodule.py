"""LMSDataModule: the regression samples one at a time (batch size 1), in file order or seeded-shuffled."""

from __future__ import annotations

from collections.abc import Iterator

import pytorch_lightning as pl
import torch

from src.data.epoch_cursor import CursorCheckpointing, EpochCursor
from src.data.regression_file import RegressionData


class SampleStream:
    """Yields (x, d) pairs, x (p+1,) and d (), one per step.

    Not a DataLoader on purpose: with batch size 1 a DataLoader's sampler, fetcher and collate cost more than
    the LMS update itself. The samples are split once; each epoch only walks an index order (EpochCursor:
    file order, or seeded per epoch), so a resumed run continues at the exact next sample.
    """

    def __init__(self, X: torch.Tensor, D: torch.Tensor, shuffle: bool, seed: int) -> None:
        self._samples = list(zip(X.unbind(0), D.unbind(0), strict=True))
        self.cursor = EpochCursor(len(self._samples), len(self._samples), shuffle, seed)

    def __len__(self) -> int:
        return len(self._samples)

    def order(self, epoch: int) -> list[int]:
        return self.cursor.order(epoch).tolist()

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = self.cursor.start_iteration()
        while self.cursor.position < self.cursor.steps:
            index = order[self.cursor.position]
            self.cursor.position += 1
            yield self._samples[index]


class LMSDataModule(CursorCheckpointing, pl.LightningDataModule):
    """Serves a RegressionData one sample per step, in `dtype` (float64 by default, matching the model); its
    position is part of every checkpoint (CursorCheckpointing)."""

    def __init__(self, data: RegressionData, dtype: torch.dtype, shuffle: bool, seed: int) -> None:
        super().__init__()
        self.data = data
        self.dtype = dtype
        self.shuffle = shuffle
        self.seed = seed
        self.X = torch.tensor(data.X, dtype=dtype)  # (N, p+1)
        self.D = torch.tensor(data.D, dtype=dtype)  # (N,)
        self._stream: SampleStream | None = None

    def train_dataloader(self) -> SampleStream:
        if self._stream is None:
            self._stream = SampleStream(self.X, self.D, self.shuffle, self.seed)
            self.restore_pending(self._stream.cursor)
        return self._stream

    def training_cursor(self) -> EpochCursor | None:
        return None if self._stream is None else self._stream.cursor
