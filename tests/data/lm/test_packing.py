"""Block packing: every token after the first is predicted exactly once, no padding but in the last block."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from src.data.lm.lm_datamodule import BlockBatches
from src.data.lm.packing import IGNORE, collate_blocks, pack_blocks, predicted_tokens


@given(length=st.integers(0, 400), block=st.integers(2, 64))
def test_packing_loses_and_duplicates_no_token(length, block):
    ids = torch.randint(0, 1000, (length,))
    blocks = pack_blocks(ids, block)
    targets = torch.cat([b[1:] for b in blocks]) if blocks else torch.empty(0, dtype=torch.int64)
    assert torch.equal(targets, ids[1:])  # each token after the first, once, in order
    assert all(2 <= len(b) <= block for b in blocks)
    assert all(len(b) == block for b in blocks[:-1])
    assert predicted_tokens(blocks) == max(length - 1, 0)


def test_a_block_of_one_token_is_refused():
    with pytest.raises(ValueError, match="at least 2 tokens"):
        pack_blocks(torch.arange(10), 1)


def test_collate_pads_the_short_block_without_attending_to_or_predicting_it():
    batch = collate_blocks([torch.tensor([5, 6, 7, 8]), torch.tensor([9, 10])], pad_id=0)
    assert batch["input_ids"].tolist() == [[5, 6, 7, 8], [9, 10, 0, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]
    assert batch["labels"].tolist() == [[5, 6, 7, 8], [9, 10, IGNORE, IGNORE]]


def test_an_epochs_batches_cover_every_block_once_in_a_seeded_order():
    first = list(BlockBatches(10, 3, shuffle=True, seed=4))
    again = list(BlockBatches(10, 3, shuffle=True, seed=4))
    assert first == again and sorted(i for b in first for i in b) == list(range(10))
    assert first != list(BlockBatches(10, 3, shuffle=True, seed=5))
