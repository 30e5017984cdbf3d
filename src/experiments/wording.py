"""Small helpers for the sentences reports print."""

from __future__ import annotations


def count(n: int, noun: str) -> str:
    """'1 epoch', '3 epochs'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def pct(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f} %"


def points(difference: float) -> str:
    """A difference of accuracies in percentage points, signed: '+1.3 points'."""
    return f"{100 * difference:+.1f} points"


def loss(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"
