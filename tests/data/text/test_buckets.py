"""Length-bucketed batches: every review once per epoch, little padding, the same batches from the same seed."""

from __future__ import annotations

import numpy as np
import torch

from src.data.text.buckets import BucketBatchSampler, length_sorted_batches, pad_batch, padding_fraction
from src.data.text.encoded import EncodedReviews
from src.data.text.review_datamodule import ReviewDataModule


def test_each_epoch_serves_every_review_once_and_depends_on_seed_and_epoch_only():
    lengths = np.random.default_rng(0).integers(1, 200, 1000).tolist()
    sampler = BucketBatchSampler(lengths, 32, seed=5)
    for epoch in (0, 1):
        batches = sampler.epoch_batches(epoch)
        assert sorted(i for b in batches for i in b) == list(range(1000)) and len(batches) == len(sampler) == 32
    assert sampler.epoch_batches(0) != sampler.epoch_batches(1)
    assert BucketBatchSampler(lengths, 32, seed=5).epoch_batches(1) == sampler.epoch_batches(1)
    random = BucketBatchSampler(lengths, 32, seed=5, bucketed=False)
    assert (
        padding_fraction(lengths, sampler.epoch_batches(0))
        < 0.05
        < 0.4
        < padding_fraction(lengths, random.epoch_batches(0))
    )


def test_padding_fraction_by_hand():
    assert padding_fraction([1, 3, 2, 2], [[0, 1], [2, 3]]) == 1 - 8 / (2 * 3 + 2 * 2)


def test_batches_are_padded_with_zeros_and_carry_their_indices():
    ids = tuple(torch.tensor(x) for x in ([5, 6, 7], [8], [9, 4]))
    encoded = EncodedReviews(ids, torch.tensor([1.0, 0.0, 1.0]), empty=0, truncated=0)
    padded, lengths = pad_batch(ids)
    assert padded.tolist() == [[5, 6, 7], [8, 0, 0], [9, 4, 0]] and lengths.tolist() == [3, 1, 2]
    data = ReviewDataModule(encoded, encoded, encoded, batch_size=2, eval_batch_size=2, seed=0)
    batches = list(data.test_dataloader())
    assert [b[3].tolist() for b in batches] == [[1, 2], [0]]  # sorted by length
    assert batches[0][0].tolist() == [[8, 0], [9, 4]] and batches[0][2].tolist() == [0.0, 1.0]
    assert length_sorted_batches([3, 1, 2], 2) == [[1, 2], [0]]
    served = [i for batch in data.train_dataloader() for i in batch[3].tolist()]
    assert sorted(served) == [0, 1, 2]
