"""Vocabulary: token ids from the training split's counts, `<pad>` = 0 and `<unk>` = 1, saved with a run."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from src.atomic import write_atomic
from src.errors import UserError

PAD, UNK = "<pad>", "<unk>"
SPECIAL_TOKENS = (PAD, UNK)  # ids 0 and 1, in every vocabulary before its words
VOCABULARY_FORMAT = 1


@dataclass(frozen=True)
class Vocabulary:
    tokens: tuple[str, ...]  # id -> token; tokens[0] = <pad>, tokens[1] = <unk>
    min_freq: int

    @classmethod
    def build(cls, tokenized: Iterable[Sequence[str]], min_freq: int) -> Vocabulary:
        """Every token seen at least `min_freq` times, the most frequent first (ties in alphabetical order, so
        the ids do not depend on the order of the reviews)."""
        counts = Counter(token for tokens in tokenized for token in tokens)
        kept = sorted((t for t, n in counts.items() if n >= min_freq), key=lambda t: (-counts[t], t))
        return cls((*SPECIAL_TOKENS, *kept), min_freq)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def index(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.tokens)}

    def encode(self, tokens: Sequence[str], max_len: int, index: dict[str, int] | None = None) -> list[int]:
        """The ids of the first `max_len` tokens; a token not in the vocabulary is `<unk>` (1)."""
        index = self.index if index is None else index
        return [index.get(token, 1) for token in tokens[:max_len]]

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.tokens[i] for i in ids if i != 0]

    def save(self, path: Path) -> None:
        payload = {"format": VOCABULARY_FORMAT, "min_freq": self.min_freq, "tokens": list(self.tokens)}
        write_atomic(path, json.dumps(payload, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        try:
            payload = json.loads(Path(path).read_text(encoding="utf-8"))
            tokens, min_freq = payload["tokens"], int(payload["min_freq"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UserError(f"{path}: not a vocabulary saved by this project ({type(exc).__name__}: {exc})") from None
        if payload.get("format") != VOCABULARY_FORMAT or tokens[:2] != [PAD, UNK]:
            raise UserError(f"{path}: not a vocabulary of format {VOCABULARY_FORMAT} starting with {PAD}, {UNK}")
        return cls(tuple(tokens), min_freq)
