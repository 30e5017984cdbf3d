"""EpochCursor: where a training data stream is (epoch, steps served), and each epoch's seeded order."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytorch_lightning as pl


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
        position = self.position
        if trainer is not None and trainer.training:
            position = trainer.fit_loop.epoch_loop.batch_progress.current.completed
        return {"epoch": self.epoch, "position": int(position)}

    def restore(self, state: dict[str, int]) -> None:
        self.epoch, self.position = int(state["epoch"]), int(state["position"])


class CursorCheckpointing:
    """Mixin (put first in the bases) for a LightningDataModule whose training data walks an EpochCursor: the
    cursor's position goes into every checkpoint and comes back when a run resumes. Lightning restores a
    DataModule before it builds the loaders, so a state loaded early waits until the cursor exists."""

    _pending_cursor: dict[str, int] | None = None

    def training_cursor(self) -> EpochCursor | None:
        raise NotImplementedError

    def restore_pending(self, cursor: EpochCursor) -> EpochCursor:
        """Call on a newly created training cursor."""
        if self._pending_cursor is not None:
            cursor.restore(self._pending_cursor)
        return cursor

    def state_dict(self) -> dict[str, Any]:
        cursor = self.training_cursor()
        if cursor is not None:
            return {"cursor": cursor.state(self.trainer)}
        return {} if self._pending_cursor is None else {"cursor": self._pending_cursor}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._pending_cursor = state_dict.get("cursor")
        cursor = self.training_cursor()
        if cursor is not None:
            self.restore_pending(cursor)
