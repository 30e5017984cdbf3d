"""Reviews and their splits: texts with binary labels (1 = positive), and a seeded stratified split."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Reviews:
    texts: tuple[str, ...]
    labels: tuple[int, ...]  # 1 = positive (fresh), 0 = negative (rotten)

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices: Sequence[int]) -> Reviews:
        return Reviews(tuple(self.texts[i] for i in indices), tuple(self.labels[i] for i in indices))

    def positive_fraction(self) -> float:
        return sum(self.labels) / len(self.labels) if self.labels else float("nan")


@dataclass(frozen=True)
class ReviewSplits:
    name: str  # "rotten_tomatoes", "imdb_kaggle", "aclimdb", "imdb_parquet"
    source: str  # where the reviews came from
    train: Reviews
    val: Reviews
    test: Reviews
    split: str  # how train/val/test were made, for the report
    origin: dict | None = None  # the archive it came from (name, md5 ...), when fetched or extracted

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}

    def describe(self) -> dict:
        """The `data` section of results.json."""
        return {
            "name": self.name,
            "source": self.source,
            "split": self.split,
            "sizes": self.sizes(),
            "positive_fraction": {k: getattr(self, k).positive_fraction() for k in ("train", "val", "test")},
            **({"origin": self.origin} if self.origin else {}),
        }


def stratified_split(labels: Sequence[int], fractions: Sequence[float], seed: int) -> list[list[int]]:
    """Indices into `labels` in len(fractions) parts, each class divided in those proportions (rounded, the
    last part taking the rest), shuffled by (seed) alone; the same seed gives the same parts."""
    rng = np.random.Generator(np.random.PCG64(seed))
    parts: list[list[int]] = [[] for _ in fractions]
    array = np.asarray(labels)
    for value in np.unique(array):
        members = rng.permutation(np.flatnonzero(array == value))
        bounds = np.round(np.cumsum(fractions)[:-1] / sum(fractions) * len(members)).astype(int)
        for part, chunk in zip(parts, np.split(members, bounds), strict=True):
            part.extend(chunk.tolist())
    return [np.asarray(part)[rng.permutation(len(part))].tolist() for part in parts]  # classes mixed
