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
    def __init__(self, blocks: list[torch.Tensor], pad_id: int) -> None:
        self.blocks, self.pad_id = blocks, pad_id

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, index: int) -> int:
        return index

    def __getitems__(self, indices: list[int]) -> dict[str, torch.Tensor]:
        return collate_blocks([self.blocks[i] for i in indices], self.pad_id)


def keep_batch(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return batch


class LMDataModule(CursorCheckpointing, pl.LightningDataModule):
    def __init__(
        self,
        train: list[torch.Tensor],
        val: list[torch.Tensor],
        batch_size: int,
        eval_batch_size: int,
        pad_id: int,
        seed: int,
    ) -> None:
        super().__init__()
        self.train, self.val = train, val
        self.batch_size, self.eval_batch_size, self.pad_id, self.seed = batch_size, eval_batch_size, pad_id, seed
        self._sampler: BlockBatches | None = None

    def _loader(self, blocks: list[torch.Tensor], sampler: Sampler) -> DataLoader:
        # Its own generator: an iterator's base seed must not come from the global one (see ReviewDataModule).
        generator = torch.Generator().manual_seed(self.seed)
        return DataLoader(
            Blocks(blocks, self.pad_id), batch_sampler=sampler, collate_fn=keep_batch, generator=generator
        )

    def train_dataloader(self) -> DataLoader:
        self._sampler = BlockBatches(len(self.train), self.batch_size, shuffle=True, seed=self.seed)
        self.restore_pending(self._sampler.cursor)
        return self._loader(self.train, self._sampler)

    def val_dataloader(self) -> DataLoader:
        return self._loader(self.val, BlockBatches(len(self.val), self.eval_batch_size, shuffle=False, seed=0))

    def training_cursor(self) -> EpochCursor | None:
        return None if self._sampler is None else self._sampler.cursor
