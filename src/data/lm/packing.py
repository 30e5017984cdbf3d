"""Block packing: a token stream cut into blocks for training, never padded per line.

Block i holds tokens [i*(B-1), i*(B-1)+B): consecutive blocks share one token, the last of one being the first
of the next, so every token of the stream after the first is predicted exactly once (a block of n tokens
predicts its last n-1), and no compute goes into padding except in the one shorter block at the end.
"""

from __future__ import annotations

import torch

IGNORE = -100  # the label of a position that is not predicted (torch's cross_entropy ignore_index)


def pack_blocks(ids: torch.Tensor, block_size: int) -> list[torch.Tensor]:
    """The stream `ids` (1-D) as blocks of `block_size` tokens (the last may be shorter, at least 2)."""
    if block_size < 2:
        raise ValueError("a block needs at least 2 tokens: one to read, one to predict")
    step = block_size - 1
    return [ids[start : start + block_size] for start in range(0, max(len(ids) - 1, 0), step)]


def predicted_tokens(blocks: list[torch.Tensor]) -> int:
    return sum(len(block) - 1 for block in blocks)


def collate_blocks(
    blocks: list[torch.Tensor], pad_id: int, scored_from: list[int] | None = None
) -> dict[str, torch.Tensor]:
    """input_ids, attention_mask and labels (B, T): a shorter block is padded at the end, its padding neither
    attended to nor predicted. `scored_from[i]`: block i's tokens before this offset are context only (a
    sliding window's tokens that an earlier window scored): their labels are IGNORE."""
    length = max(len(block) for block in blocks)
    input_ids = torch.full((len(blocks), length), pad_id, dtype=torch.int64)
    attention_mask = torch.zeros((len(blocks), length), dtype=torch.int64)
    labels = torch.full((len(blocks), length), IGNORE, dtype=torch.int64)
    for row, block in enumerate(blocks):
        input_ids[row, : len(block)] = block
        attention_mask[row, : len(block)] = 1
        labels[row, : len(block)] = block
        if scored_from is not None:
            labels[row, : scored_from[row]] = IGNORE
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
