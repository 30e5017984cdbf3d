"""ImageDataModule: batches of uint8 images, normalised (and augmented) on the training device."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from src.data.augment import crop_and_flip
from src.data.epoch_cursor import CursorCheckpointing, EpochCursor
from src.data.epoch_sampler import EpochBatchSampler
from src.data.image_splits import ImageSplits, channel_statistics
from src.internals import batch_being_transferred

TRUE_PRECISION_DTYPES = {"64-true": torch.float64, "16-true": torch.float16, "bf16-true": torch.bfloat16}


class TensorImages(Dataset):
    """Images and labels held as two tensors; a whole batch is one indexing operation (`__getitems__`)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[index], self.labels[index]

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        index = torch.as_tensor(indices, device=self.images.device)
        return self.images[index], self.labels[index]


def keep_batch(batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """collate_fn for TensorImages: __getitems__ already returns the stacked batch."""
    return batch


class ImageDataModule(CursorCheckpointing, pl.LightningDataModule):
    """Train/val/test loaders over ImageSplits. Pixels travel as uint8 (4x less to copy) and become
    float, augmented (training only, if `augment`) and normalised per channel with the training set's mean
    and std in `on_after_batch_transfer`, i.e. on the GPU when there is one. Shuffling (a per-epoch seeded
    order) and augmentation (per-batch randomness) derive from `seed` alone, so a seed fixes both; the batch
    position is part of every checkpoint, so a resumed run continues with the very next batch. With
    `on_device`, a GPU run keeps the whole dataset in device memory.
    """

    def __init__(
        self,
        splits: ImageSplits,
        batch_size: int,
        num_workers: int,
        augment: bool,
        seed: int,
        on_device: bool,
        *,
        eval_batch_size: int | None = None,
        normalization: tuple[Sequence[float], Sequence[float]] | None = None,
    ) -> None:
        """`eval_batch_size`: batches of validation and test (default: `batch_size`); `normalization`: a fixed
        (mean, std) per channel, of pixel values / 255 (default: the training split's own statistics)."""
        super().__init__()
        self.splits = splits
        self.on_device = on_device
        self.batch_size = batch_size
        self.eval_batch_size = eval_batch_size or batch_size
        self.num_workers = num_workers
        self.augment = augment
        self.seed = seed
        if normalization is None:
            self.mean, self.std = channel_statistics(splits.train[0])  # (C,), (C,) of pixel values / 255
        else:
            self.mean, self.std = (torch.tensor(values, dtype=torch.float32) for values in normalization)
            channels = splits.image_shape[0]
            if self.mean.shape != (channels,) or self.std.shape != (channels,):
                raise ValueError(f"normalization needs {channels} means and stds, got {normalization}")
        self.shuffle_generator = torch.Generator().manual_seed(seed)
        self._train_sampler: EpochBatchSampler | None = None

    def setup(self, stage: str) -> None:
        # On a GPU the whole dataset (uint8: 150 MB for CIFAR-10) can live in device memory: batches are then
        # gathered there and nothing crosses the PCIe bus per step.
        device = self.trainer.strategy.root_device if self.trainer is not None else torch.device("cpu")
        if self.on_device and device.type != "cpu" and self.splits.train[0].device != device:
            moved = {name: tuple(t.to(device) for t in getattr(self.splits, name)) for name in ("train", "val", "test")}
            self.splits = dataclasses.replace(self.splits, **moved)

    def _loader(self, split: tuple[torch.Tensor, torch.Tensor], shuffle: bool) -> DataLoader:
        resident = split[0].device.type != "cpu"
        options = dict(
            num_workers=0 if resident else self.num_workers,  # device tensors cannot go to worker processes
            collate_fn=keep_batch,
            pin_memory=torch.cuda.is_available() and not resident,
            persistent_workers=self.num_workers > 0 and not resident,
        )
        distributed = self.trainer is not None and self.trainer.world_size > 1
        if shuffle and not distributed:
            # Our own sampler, so that a checkpoint can record (and a resumed run restore) the exact batch.
            self._train_sampler = EpochBatchSampler(len(split[1]), self.batch_size, shuffle=True, seed=self.seed)
            self.restore_pending(self._train_sampler.cursor)
            return DataLoader(TensorImages(*split), batch_sampler=self._train_sampler, **options)
        # Evaluation, or DDP, where Lightning shards the data with a DistributedSampler seeded like this run.
        generator = self.shuffle_generator if shuffle else None
        batch_size = self.batch_size if shuffle else self.eval_batch_size
        return DataLoader(TensorImages(*split), batch_size=batch_size, shuffle=shuffle, generator=generator, **options)

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.splits.train, shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader(self.splits.val, shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader(self.splits.test, shuffle=False)

    @property
    def train_batch_size(self) -> int:
        """The images a training batch really holds (see batch_used), in the fit this module is attached to."""
        world_size = self.trainer.world_size if self.trainer is not None else 1
        return batch_used(self.batch_size, len(self.splits.train[1]), world_size)

    def training_cursor(self) -> EpochCursor | None:
        return None if self._train_sampler is None else self._train_sampler.cursor

    def augment_generator(self, device: torch.device, epoch: int, batch_index: int, rank: int = 0) -> torch.Generator:
        """The random source of one training batch's augmentation, derived from (seed, epoch, batch index,
        global rank) alone: a resumed run regenerates exactly the crops and flips of the uninterrupted one,
        whatever was fetched ahead or augmented but not trained when it stopped, and under DDP every process
        draws its own (rank 0 draws what a single process does)."""
        entropy = [self.seed, epoch, batch_index, *([rank] if rank else [])]
        seed = int(np.random.SeedSequence(entropy).generate_state(1)[0])
        return torch.Generator(device=device).manual_seed(seed)

    def prepare_batch(
        self, batch: tuple[torch.Tensor, torch.Tensor], augment_at: tuple[int, int, int] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """uint8 pixels -> floats of the trainer's precision, normalised per channel; with `augment_at` = (epoch,
        batch index, rank), also cropped and flipped with that batch's own randomness (see augment_generator)."""
        images, labels = batch  # (B, C, H, W) uint8, (B,)
        images = images.to(self.input_dtype()).div_(255.0)
        if augment_at is not None:
            images = crop_and_flip(images, self.augment_generator(images.device, *augment_at))
        mean, std = (t.to(images.device, images.dtype) for t in (self.mean, self.std))
        return (images - mean[:, None, None]) / std[:, None, None], labels

    def input_dtype(self) -> torch.dtype:
        """float32, or the parameters' dtype under a "-true" precision other than 32 (Lightning converts the
        model, not these batches, which become floats only here)."""
        precision = str(getattr(self.trainer, "precision", "32-true"))
        return TRUE_PRECISION_DTYPES.get(precision, torch.float32)

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        if not is_pixel_batch(batch):
            return batch
        return self.prepare_batch(batch, self.training_position() if self.augment else None)

    def training_position(self) -> tuple[int, int, int] | None:
        """(epoch, batch index, global rank) of the training batch being transferred; None outside training."""
        trainer = self.trainer
        if trainer is None or not trainer.training:
            return None
        return trainer.current_epoch, batch_being_transferred(trainer), trainer.global_rank


def batch_used(batch_size: int, train_images: int, world_size: int = 1) -> int:
    """The images a full training batch holds: `batch_size`, or all of a process's share of the training images
    (under DDP, each of `world_size` processes gets ceil(N / world_size) of them) when it asks for more."""
    return min(batch_size, math.ceil(train_images / world_size))


def is_pixel_batch(batch: Any) -> bool:
    """A raw (uint8 images, labels) batch. Lightning also sends other inputs through on_after_batch_transfer
    (e.g. the model's example_input_array for its summary), which pass unchanged."""
    return isinstance(batch, (tuple, list)) and len(batch) == 2 and batch[0].dtype == torch.uint8
