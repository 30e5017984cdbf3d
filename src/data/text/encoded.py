"""Reviews as token ids: tokenised once, truncated to `max_len`, ready for batching."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from src.data.text.reviews import Reviews
from src.data.text.tokenizer import tokenize
from src.data.text.vocabulary import UNK, Vocabulary


@dataclass(frozen=True)
class EncodedReviews:
    ids: tuple[torch.Tensor, ...]  # one (L_i,) int64 tensor per review, 1 <= L_i <= max_len
    labels: torch.Tensor  # (N,) float32, 1.0 = positive
    empty: int  # reviews with no token left after processing, each read as a single <unk>
    truncated: int  # reviews cut to max_len tokens

    @property
    def lengths(self) -> torch.Tensor:
        return torch.tensor([len(ids) for ids in self.ids], dtype=torch.int64)

    def __len__(self) -> int:
        return len(self.ids)


def encode_reviews(
    reviews: Reviews, vocabulary: Vocabulary, max_len: int, tokenized: Sequence[list[str]] | None = None
) -> EncodedReviews:
    """`tokenized`: the reviews' tokens when already computed (the training split's, for the vocabulary)."""
    index = vocabulary.index
    ids, empty, truncated = [], 0, 0
    for text_or_tokens in reviews.texts if tokenized is None else tokenized:
        tokens = tokenize(text_or_tokens) if tokenized is None else text_or_tokens
        truncated += len(tokens) > max_len
        encoded = vocabulary.encode(tokens, max_len, index)
        if not encoded:  # a recurrent layer needs one step at least: "nothing left" reads as one unknown word
            encoded, empty = [index[UNK]], empty + 1
        ids.append(torch.tensor(encoded, dtype=torch.int64))
    return EncodedReviews(tuple(ids), torch.tensor(reviews.labels, dtype=torch.float32), empty, truncated)
