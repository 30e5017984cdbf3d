"""ImageDataModule: batches of uint8 images, normalised (and augmented) on the training device."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from src.data.augment import crop_and_flip
from src.data.image_splits import ImageSplits


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


class ImageDataModule(pl.LightningDataModule):
    """Train/val/test loaders over ImageSplits. Pixels travel as uint8 (4x less to copy) and become
    float, augmented (training only, if `augment`) and normalised per channel with the training set's mean
    and std in `on_after_batch_transfer`, i.e. on the GPU when there is one. Shuffling and augmentation use
    their own generators seeded from `seed`, so a seed fixes both. With `on_device`, a GPU run keeps the whole
    dataset in device memory.
    """

    def __init__(
        self,
        splits: ImageSplits,
        batch_size: int = 64,
        num_workers: int = 0,
        augment: bool = False,
        seed: int = 0,
        on_device: bool = False,
    ) -> None:
        super().__init__()
        self.splits = splits
        self.on_device = on_device
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.augment = augment
        self.seed = seed
        train_images = splits.train[0].double() / 255.0
        self.mean = train_images.mean(dim=(0, 2, 3)).float()  # (C,)
        self.std = train_images.std(dim=(0, 2, 3)).clamp_min(1e-6).float()  # (C,)
        self.shuffle_generator = torch.Generator().manual_seed(seed)
        self._augment_generators: dict[torch.device, torch.Generator] = {}

    def setup(self, stage: str) -> None:
        # On a GPU the whole dataset (uint8: 150 MB for CIFAR-10) can live in device memory: batches are then
        # gathered there and nothing crosses the PCIe bus per step.
        device = self.trainer.strategy.root_device if self.trainer is not None else torch.device("cpu")
        if self.on_device and device.type != "cpu" and self.splits.train[0].device != device:
            moved = {name: tuple(t.to(device) for t in getattr(self.splits, name)) for name in ("train", "val", "test")}
            self.splits = dataclasses.replace(self.splits, **moved)

    def _loader(self, split: tuple[torch.Tensor, torch.Tensor], shuffle: bool) -> DataLoader:
        resident = split[0].device.type != "cpu"
        return DataLoader(
            TensorImages(*split),
            batch_size=self.batch_size,
            shuffle=shuffle,
            generator=self.shuffle_generator if shuffle else None,
            num_workers=0 if resident else self.num_workers,  # device tensors cannot go to worker processes
            collate_fn=keep_batch,
            pin_memory=torch.cuda.is_available() and not resident,
            persistent_workers=self.num_workers > 0 and not resident,
        )

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.splits.train, shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader(self.splits.val, shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader(self.splits.test, shuffle=False)

    def augment_generator(self, device: torch.device) -> torch.Generator:
        if device not in self._augment_generators:
            self._augment_generators[device] = torch.Generator(device=device).manual_seed(self.seed + 1)
        return self._augment_generators[device]

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> tuple[torch.Tensor, torch.Tensor]:
        images, labels = batch  # (B, C, H, W) uint8, (B,)
        images = images.float().div_(255.0)
        if self.augment and self.trainer is not None and self.trainer.training:
            images = crop_and_flip(images, self.augment_generator(images.device))
        mean, std = self.mean.to(images.device), self.std.to(images.device)
        images = (images - mean[:, None, None]) / std[:, None, None]
        return images, labels
