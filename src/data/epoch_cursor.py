"""EpochCursor: where a training data stream is (epoch, steps served), and each epoch's seeded order."""

from __future__ import annotations

import numpy as np
import pytorch_lightning as pl

from src.internals import completed_batches


class EpochCursor:
    """The order of epoch e depends only on (seed, e), so a run can restart anywhere and see the same data.

    `epoch` is the epoch being served and `position` the steps already handed out in it. Lightning stops
    iterating after len() steps without exhausting the iterator, so a finished epoch is closed when the next
    iteration starts (`start_iteration`), never after the loop.
    """

    def __init__(self, size: int, steps: int, shuffle: bool, seed: int) -> None:
        self.size, self.steps, self.shuffle, self.seed = size, steps, shuffle, seed
        self.epoch = 0
        self.position = 0

    def order(self, epoch: int) -> np.ndarray:
        """Item order of an epoch: 0..size-1, or a permutation that depends only on (seed, epoch)."""
        if not self.shuffle:
            return np.arange(self.size)
        return np.random.Generator(np.random.PCG64([self.seed, epoch])).permutation(self.size)

    def start_iteration(self) -> np.ndarray:
        if self.position >= self.steps:
            self.epoch += 1
            self.position = 0
        return self.order(self.epoch)

    def state(self, trainer: pl.Trainer | None) -> dict[str, int]:
        """For a checkpoint: the position counted in steps the trainer has *completed*, not handed out.

        Lightning fetches a batch ahead of the one it trains on (and DataLoader workers fetch further), so
        the cursor's own position runs ahead; the trainer's progress is what a resumed run must continue from.
        """
        position = completed_batches(trainer) if trainer is not None and trainer.training else self.position
        return {"epoch": self.epoch, "position": int(position)}

    def restore(self, state: dict[str, int]) -> None:
        self.epoch, self.position = int(state["epoch"]), int(state["position"])


class CursorCheckpointing:
    """Mixin for a LightningDataModule whose training data walks an EpochCursor: the DataCursor callback puts
    the cursor's position into every checkpoint and hands it back when a run resumes. Lightning restores
    callbacks before it builds the loaders, so a position restored early waits until the cursor exists."""

    _pending_cursor: dict[str, int] | None = None

    def training_cursor(self) -> EpochCursor | None:
        raise NotImplementedError

    def restore_pending(self, cursor: EpochCursor) -> EpochCursor:
        """Call on a newly created training cursor."""
        if self._pending_cursor is not None:
            cursor.restore(self._pending_cursor)
        return cursor

    def cursor_state(self, trainer: pl.Trainer | None) -> dict[str, int]:
        cursor = self.training_cursor()
        if cursor is not None:
            return cursor.state(trainer)
        return dict(self._pending_cursor or {"epoch": 0, "position": 0})

    def restore_cursor(self, state: dict[str, int]) -> None:
        self._pending_cursor = dict(state)
        cursor = self.training_cursor()
        if cursor is not None:
            self.restore_pending(cursor)
