"""Length-bucketed batches: reviews of similar length batched together, so little compute goes into padding."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch.utils.data import Sampler

from src.data.epoch_cursor import EpochCursor

BUCKET_BATCHES = 50  # a shuffled window of this many batches is sorted by length before it is cut into batches


def bucketed_batches(lengths: Sequence[int], batch_size: int, order: np.ndarray, rng: np.random.Generator) -> list:
    """`order` (a permutation) cut into windows of BUCKET_BATCHES batches, each window sorted by length (stable)
    and cut into batches; then the batches shuffled, so the model sees lengths in no particular order."""
    lengths = np.asarray(lengths)
    window = batch_size * BUCKET_BATCHES
    batches = []
    for start in range(0, len(order), window):
        chunk = order[start : start + window]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size].tolist() for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


class BucketBatchSampler(Sampler[list[int]]):
    """Training batches of an epoch from (seed, epoch) alone, resumable mid-epoch through its EpochCursor."""

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int, bucketed: bool = True) -> None:
        self.lengths, self.batch_size, self.bucketed = list(lengths), batch_size, bucketed
        steps = -(-len(self.lengths) // batch_size)
        self.cursor = EpochCursor(len(self.lengths), steps, shuffle=True, seed=seed)

    def __len__(self) -> int:
        return self.cursor.steps

    def epoch_batches(self, epoch: int) -> list[list[int]]:
        order = self.cursor.order(epoch)
        if not self.bucketed:
            return [order[i : i + self.batch_size].tolist() for i in range(0, len(order), self.batch_size)]
        rng = np.random.Generator(np.random.PCG64([self.cursor.seed, epoch, 1]))
        return bucketed_batches(self.lengths, self.batch_size, order, rng)

    def __iter__(self) -> Iterator[list[int]]:
        self.cursor.start_iteration()
        batches = self.epoch_batches(self.cursor.epoch)
        while self.cursor.position < self.cursor.steps:
            batch = batches[self.cursor.position]
            self.cursor.position += 1
            yield batch


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Evaluation batches: every review once, sorted by length (results are put back in review order)."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[i : i + batch_size].tolist() for i in range(0, len(order), batch_size)]


def padding_fraction(lengths: Sequence[int], batches: Sequence[Sequence[int]]) -> float:
    """Share of the padded (B x T_max) token slots that are padding."""
    lengths = np.asarray(lengths)
    slots = sum(len(b) * int(lengths[b].max()) for b in batches)
    return 1.0 - float(lengths.sum()) / slots if slots else 0.0


def pad_batch(ids: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T_max) ids padded with 0, and (B,) lengths."""
    lengths = torch.tensor([len(x) for x in ids], dtype=torch.int64)
    return torch.nn.utils.rnn.pad_sequence(list(ids), batch_first=True, padding_value=0), lengths
