"""ReviewDataModule: padded, length-bucketed batches of encoded reviews, resumable mid-epoch."""

from __future__ import annotations

from collections.abc import Sequence

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from src.data.epoch_cursor import CursorCheckpointing, EpochCursor
from src.data.text.buckets import BucketBatchSampler, length_sorted_batches, pad_batch
from src.data.text.encoded import EncodedReviews

ReviewBatch = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]  # ids, lengths, labels, indices


class EncodedDataset(Dataset):
    def __init__(self, encoded: EncodedReviews) -> None:
        self.encoded = encoded

    def __len__(self) -> int:
        return len(self.encoded)

    def __getitem__(self, index: int) -> int:
        return index

    def __getitems__(self, indices: list[int]) -> ReviewBatch:
        ids, lengths = pad_batch([self.encoded.ids[i] for i in indices])
        index = torch.tensor(indices, dtype=torch.int64)
        return ids, lengths, self.encoded.labels[index], index


def keep_batch(batch: ReviewBatch) -> ReviewBatch:
    return batch


class ReviewDataModule(CursorCheckpointing, pl.LightningDataModule):
    """Training batches bucketed by length in a per-epoch order from `seed` alone (the batch position is in
    every checkpoint); validation and test batches sorted by length, each batch carrying its reviews' indices
    so that results go back into review order."""

    def __init__(
        self,
        train: EncodedReviews,
        val: EncodedReviews,
        test: EncodedReviews,
        batch_size: int,
        eval_batch_size: int,
        seed: int,
        bucketed: bool = True,
    ) -> None:
        super().__init__()
        self.splits = {"train": train, "val": val, "test": test}
        self.batch_size, self.eval_batch_size, self.seed, self.bucketed = batch_size, eval_batch_size, seed, bucketed
        self._sampler: BucketBatchSampler | None = None

    def train_sampler(self) -> BucketBatchSampler:
        lengths = self.splits["train"].lengths.tolist()
        return BucketBatchSampler(lengths, self.batch_size, self.seed, self.bucketed)

    def train_dataloader(self) -> DataLoader:
        self._sampler = self.train_sampler()
        self.restore_pending(self._sampler.cursor)
        return DataLoader(
            EncodedDataset(self.splits["train"]),
            batch_sampler=self._sampler,
            collate_fn=keep_batch,
            generator=self._own_generator(),
        )

    def _eval_loader(self, split: str) -> DataLoader:
        encoded = self.splits[split]
        batches: Sequence[list[int]] = length_sorted_batches(encoded.lengths.tolist(), self.eval_batch_size)
        return DataLoader(
            EncodedDataset(encoded), batch_sampler=batches, collate_fn=keep_batch, generator=self._own_generator()
        )

    def _own_generator(self) -> torch.Generator:
        """Each DataLoader iterator draws a base seed from its generator when it starts; from the global one by
        default, which dropout also draws from. A run resumed mid-epoch starts its iterator after the global
        state was restored, so that extra draw would shift every dropout mask after it (measured: a resumed
        run's losses differed from the second epoch on). The order is the batch sampler's, not this seed's."""
        return torch.Generator().manual_seed(self.seed)

    def val_dataloader(self) -> DataLoader:
        return self._eval_loader("val")

    def test_dataloader(self) -> DataLoader:
        return self._eval_loader("test")

    def training_cursor(self) -> EpochCursor | None:
        return None if self._sampler is None else self._sampler.cursor
