"""EpochBatchSampler: batches of indices in a seeded per-epoch order, resumable mid-epoch."""

from __future__ import annotations

import math
from collections.abc import Iterator

from torch.utils.data import Sampler

from src.data.epoch_cursor import EpochCursor


class EpochBatchSampler(Sampler[list[int]]):
    """Yields `batch_size` indices at a time (the last batch may be smaller); see EpochCursor for the order
    and the position a checkpoint records."""

    def __init__(self, size: int, batch_size: int, shuffle: bool, seed: int) -> None:
        self.batch_size = batch_size
        self.cursor = EpochCursor(size, math.ceil(size / batch_size), shuffle, seed)

    def __len__(self) -> int:
        return self.cursor.steps

    def __iter__(self) -> Iterator[list[int]]:
        order = self.cursor.start_iteration()
        while self.cursor.position < self.cursor.steps:
            start = self.cursor.position * self.batch_size
            self.cursor.position += 1
            yield order[start : start + self.batch_size].tolist()
