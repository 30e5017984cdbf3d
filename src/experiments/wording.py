"""Small helpers for the sentences reports print."""

from __future__ import annotations


def count(n: int, noun: str) -> str:
    """'1 epoch', '3 epochs'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
