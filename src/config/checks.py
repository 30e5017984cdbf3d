"""Checks and markers an option carries in its `Annotated[...]` type, next to its declaration.

    lr: Annotated[float, Positive()] = 0.005
    num_workers: Annotated[int, AtLeast(0), Adjustable()] = 0

A check returns the problem with a value (None when it is fine); on a tuple option it checks every element,
unless it is about the whole tuple. Markers say how the lifecycle treats an option.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from src.config.kinds import is_finite_number


class Check:
    whole = False  # True: applies to a tuple as a whole, not to each element

    def problem(self, value: Any) -> str | None:
        raise NotImplementedError


@dataclass(frozen=True)
class AtLeast(Check):
    minimum: int

    def problem(self, value: Any) -> str | None:
        return None if value >= self.minimum else f"must be at least {self.minimum}, got {value}"


@dataclass(frozen=True)
class Positive(Check):
    def problem(self, value: Any) -> str | None:
        return None if is_finite_number(value) and value > 0 else f"must be a finite number > 0, got {value:g}"


@dataclass(frozen=True)
class NonNegative(Check):
    def problem(self, value: Any) -> str | None:
        return None if is_finite_number(value) and value >= 0 else f"must be a finite number >= 0, got {value:g}"


@dataclass(frozen=True)
class Finite(Check):
    """Numbers must be finite; a word (e.g. w0's 'zeros') is not a number and passes."""

    def problem(self, value: Any) -> str | None:
        if isinstance(value, (int, float)) and not math.isfinite(value):
            return f"must be a finite number, got {value:g}"
        return None


@dataclass(frozen=True)
class InRange(Check):
    """low <= value <= high (< with `open_low` / `open_high`), described as the user should read it."""

    low: float
    high: float
    text: str  # e.g. "0 .. 2**32 - 1" or "[0, 1)"
    open_high: bool = False
    open_low: bool = False

    def problem(self, value: Any) -> str | None:
        above = self.low < value if self.open_low else self.low <= value
        inside = above and (value < self.high if self.open_high else value <= self.high)
        return None if inside else f"must be in {self.text}, got {_shown(value)}"


@dataclass(frozen=True)
class Distinct(Check):
    whole = True

    def problem(self, value: Any) -> str | None:
        if len(set(value)) == len(value):
            return None
        return f"each value may appear once, got {', '.join(_shown(v) for v in value)}"


@dataclass(frozen=True)
class DeviceCount(Check):
    """Lightning's `devices`: a whole number >= 1, or 'auto'."""

    def problem(self, value: Any) -> str | None:
        if value == "auto" or (value.isdigit() and int(value) >= 1):
            return None
        return f"a whole number >= 1 or 'auto', got {value!r}"


@dataclass(frozen=True)
class Adjustable:
    """Marker: how a run executes, not what it computes (device, progress bar, workers); such an option may
    differ from the saved one when a run is resumed."""


@dataclass(frozen=True)
class Verbatim:
    """Marker: a list option of whole texts (`--text "good, not great" "awful"`), not split at commas."""


@dataclass(frozen=True)
class Metavar:
    """Marker: the placeholder --help shows for the value (e.g. RUN, PATH)."""

    text: str


@dataclass(frozen=True)
class NotSaved:
    """Marker: an instruction to this invocation (e.g. --resume), not an option of the run: not in config.json."""


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def problems(checks: tuple[Check, ...], value: Any) -> str | None:
    """The first problem any check finds with `value` (each element of a tuple), or None."""
    for check in checks:
        targets = [value] if check.whole or not isinstance(value, tuple) else list(value)
        for target in targets:
            problem = check.problem(target)
            if problem:
                return problem
    return None
