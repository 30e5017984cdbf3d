"""LMSDataModule: the regression samples one at a time (batch size 1), in file order or seeded-shuffled."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytorch_lightning as pl
import torch

from src.data.regression_file import RegressionData


class SampleStream:
    """Yields (x, d) pairs, x (p+1,) and d (), one per step.

    Not a DataLoader on purpose: with batch size 1 a DataLoader's sampler, fetcher and collate cost more than
    the LMS update itself. The samples are split once; each epoch only walks an index order. The stream
    knows its epoch and position, so a resumed run can continue at the exact next sample.
    """

    def __init__(self, X: torch.Tensor, D: torch.Tensor, shuffle: bool, seed: int) -> None:
        self._samples = list(zip(X.unbind(0), D.unbind(0), strict=True))
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0  # the epoch being served
        self.position = 0  # samples of that epoch already handed out

    def __len__(self) -> int:
        return len(self._samples)

    def order(self, epoch: int) -> list[int]:
        """Sample order of an epoch: file order, or a permutation that depends only on (seed, epoch)."""
        if not self.shuffle:
            return list(range(len(self._samples)))
        rng = np.random.Generator(np.random.PCG64([self.seed, epoch]))
        return rng.permutation(len(self._samples)).tolist()

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        # Lightning stops after len(self) samples without exhausting the generator, so nothing may happen
        # after the loop: a fully served epoch is closed when the next one starts.
        if self.position >= len(self._samples):
            self.epoch += 1
            self.position = 0
        for index in self.order(self.epoch)[self.position :]:
            self.position += 1
            yield self._samples[index]

    def state_dict(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.epoch = int(state["epoch"])
        self.position = int(state["position"])


class LMSDataModule(pl.LightningDataModule):
    """Serves a RegressionData one sample per step, in `dtype` (float64 by default, matching the model)."""

    def __init__(
        self, data: RegressionData, dtype: torch.dtype = torch.float64, shuffle: bool = False, seed: int = 0
    ) -> None:
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
        return self._stream
