"""LMDataModule: packed blocks of the training stream in a seeded order per epoch (resumable mid-epoch), and the
validation stream's blocks in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from src.data.epoch_cursor import CursorCheckpointing, EpochCursor
from src.data.lm.packing import collate_blocks


class BlockBatches(Sampler[list[int]]):
    """Batches of block indices; an epoch's order depends only on (seed, epoch) and its position is in every
    checkpoint (EpochCursor)."""

    def __init__(self, blocks: int, batch_size: int, shuffle: bool, seed: int) -> None:
        self.batch_size = batch_size
        self.cursor = EpochCursor(blocks, -(-blocks // batch_size), shuffle=shuffle, seed=seed)

    def __len__(self) -> int:
        return self.cursor.steps

    def __iter__(self) -> Iterator[list[int]]:
        self.cursor.start_iteration()
        order = self.cursor.order(self.cursor.epoch)
        while self.cursor.position < self.cursor.steps:
            start = self.cursor.position * self.batch_size
            self.cursor.position += 1
            yield order[start : start + self.batch_size].tolist()


class Blocks(Dataset):
    """Token blocks; `scored_from[i]`: where block i's scored tokens start (validation windows)."""

    def __init__(self, blocks: list[torch.Tensor], pad_id: int, scored_from: list[int] | None = None) -> None:
        self.blocks, self.pad_id, self.scored_from = blocks, pad_id, scored_from

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, index: int) -> int:
        return index

    def __getitems__(self, indices: list[int]) -> dict[str, torch.Tensor]:
        offsets = None if self.scored_from is None else [self.scored_from[i] for i in indices]
        return collate_blocks([self.blocks[i] for i in indices], self.pad_id, offsets)


def keep_batch(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return batch


class LMDataModule(CursorCheckpointing, pl.LightningDataModule):
    """Training: packed blocks, shuffled per epoch. Validation: (tokens, first scored offset) pairs, in order:
    the perplexity's own sliding windows, so the loss during training is the one measured at the end."""

    def __init__(
        self,
        train: list[torch.Tensor],
        val: list[tuple[torch.Tensor, int]],
        batch_size: int,
        eval_batch_size: int,
        pad_id: int,
        seed: int,
    ) -> None:
        super().__init__()
        self.train, self.val = train, val
        self.batch_size, self.eval_batch_size, self.pad_id, self.seed = batch_size, eval_batch_size, pad_id, seed
        self._sampler: BlockBatches | None = None

    def _loader(self, blocks: Blocks, sampler: Sampler) -> DataLoader:
        # Its own generator: an iterator's base seed must not come from the global one (see ReviewDataModule).
        generator = torch.Generator().manual_seed(self.seed)
        return DataLoader(blocks, batch_sampler=sampler, collate_fn=keep_batch, generator=generator)

    def train_dataloader(self) -> DataLoader:
        self._sampler = BlockBatches(len(self.train), self.batch_size, shuffle=True, seed=self.seed)
        self.restore_pending(self._sampler.cursor)
        return self._loader(Blocks(self.train, self.pad_id), self._sampler)

    def val_dataloader(self) -> DataLoader:
        windows = Blocks([tokens for tokens, _ in self.val], self.pad_id, [offset for _, offset in self.val])
        return self._loader(windows, BlockBatches(len(self.val), self.eval_batch_size, shuffle=False, seed=0))

    def training_cursor(self) -> EpochCursor | None:
        return None if self._sampler is None else self._sampler.cursor
