"""StackDataModule: the batches of models trained side by side, in every view they ask for (plain, augmented)."""

from __future__ import annotations

from typing import Any

import torch

from src.data.image_datamodule import ImageDataModule, is_pixel_batch
from src.data.image_splits import ImageSplits


class StackDataModule(ImageDataModule):
    """An ImageDataModule whose batches are (views (V, B, C, H, W), labels (B,)) for a StackClassifier.

    Training batches come in each of `views` (False: plain, True: cropped and flipped); evaluation batches in
    one plain view. Every view is the one batch of the shared order, and the augmented view draws exactly the
    crops and flips an ImageDataModule with `augment=True` and the same seed draws for that batch: a model in a
    stack sees what it would see in a fit of its own.
    """

    def __init__(self, splits: ImageSplits, views: tuple[bool, ...], **options: Any) -> None:
        if not views or len(set(views)) != len(views):
            raise ValueError(f"views must be distinct augmentation flags, got {views}")
        super().__init__(splits, augment=False, **options)
        self.views = tuple(views)

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        if not is_pixel_batch(batch):
            return batch
        position = self.training_position()
        if position is None:
            images, labels = self.prepare_batch(batch)
            return images[None], labels  # (1, B, C, H, W)
        prepared = [self.prepare_batch(batch, position if augment else None)[0] for augment in self.views]
        return torch.stack(prepared), batch[1]  # (V, B, C, H, W), (B,)
