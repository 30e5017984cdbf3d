"""What a value of each option type looks like: how it is read from the command line, a YAML/JSON file or
config.json, how it is written back, and how it is shown to a user.

One reader for every source, so `--epochs 3`, `epochs: 3` in a YAML file and `"epochs": 3` in config.json go
through the same conversion and the same error messages. Command-line values arrive as text; files give typed
values; both are accepted where they mean the same thing.
"""

from __future__ import annotations

import difflib
import math
import shlex
import types
import typing
from pathlib import Path
from typing import Any, Literal


class OptionError(ValueError):
    """A value an option cannot take; the message says what was expected (the caller names the option)."""


class Kind:
    """The type of an option's value."""

    metavar: str = "VALUE"
    expected: str = "a value"  # what a valid value is, for error messages
    is_list = False  # takes several values: `--lrs 0.1 0.5` or `--lrs 0.1,0.5`
    is_flag = False  # `--name` / `--no-name`
    joiner = ","  # how the command line joins a list option's words into one value (see src/cli/argv.py)

    def parse(self, value: Any) -> Any:
        raise NotImplementedError

    def dump(self, value: Any) -> Any:
        """A JSON value (config.json, results.json, --print_config)."""
        return value

    def show(self, value: Any) -> str:
        """The value as a user would type it on the command line."""
        return str(value)

    def placeholder(self, one: str) -> str:
        """What --help shows for a value of this kind, given the placeholder of one value (a Metavar marker)."""
        return one


class Flag(Kind):
    is_flag = True
    expected = "true or false"

    def parse(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise OptionError(f"expected {self.expected}, got {value!r}")

    def show(self, value: Any) -> str:
        return "on" if value else "off"


class Whole(Kind):
    metavar = "N"
    expected = "a whole number"

    def parse(self, value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise OptionError(f"expected {self.expected}, got {value!r}")


class Number(Kind):
    metavar = "X"
    expected = "a number"

    def parse(self, value: Any) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise OptionError(f"expected {self.expected}, got {value!r}")

    def show(self, value: Any) -> str:
        return f"{value:g}"


class Text(Kind):
    metavar = "TEXT"
    expected = "text"

    def parse(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):  # YAML reads `devices: 2` as a number
            return str(value)
        raise OptionError(f"expected {self.expected}, got {value!r}")


class FilePath(Kind):
    metavar = "PATH"
    expected = "a path"

    def parse(self, value: Any) -> Path:
        if isinstance(value, (str, Path)) and str(value):
            return Path(value)
        raise OptionError(f"expected {self.expected}, got {value!r}")

    def dump(self, value: Any) -> str:
        return str(value)


class Choice(Kind):
    def __init__(self, choices: tuple[str, ...]) -> None:
        self.choices = choices
        self.metavar = "{" + ",".join(choices) + "}"
        self.expected = f"{choices[0]!r}" if len(choices) == 1 else f"one of {', '.join(choices)}"

    def parse(self, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):  # YAML reads `precision: 32` as a number
            value = str(value)
        if isinstance(value, str) and value in self.choices:
            return value
        hint = suggestion(str(value), self.choices)
        raise OptionError(f"{self.expected}, got {value!r}{hint}")


UNIT_SEPARATOR = "\x1f"


class Several(Kind):
    """A tuple of values of one kind: several command-line words, or words joined by commas. `verbatim`: each
    value is a whole text (commas, spaces and newlines kept), one per command-line word; the command line joins
    them with the ASCII unit separator, which no typed text holds."""

    is_list = True

    def __init__(self, element: Kind, verbatim: bool = False) -> None:
        self.element, self.verbatim = element, verbatim
        self.joiner = UNIT_SEPARATOR if verbatim else ","
        self.metavar = self.placeholder(element.metavar)
        plural = {"a number": "numbers", "a whole number": "whole numbers"}
        self.expected = plural.get(element.expected, f"values that are each {element.expected}")

    def parse(self, value: Any) -> tuple:
        if isinstance(value, str) and self.verbatim:
            items = value.split(UNIT_SEPARATOR)
        elif isinstance(value, str):
            items = [part for part in value.replace(",", " ").split()]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            items = [value]  # a YAML scalar where a list was meant: `lrs: 0.1`
        if not items:
            raise OptionError("expected at least one value")
        return tuple(self.element.parse(item) for item in items)

    def dump(self, value: Any) -> list:
        return [self.element.dump(item) for item in value]

    def placeholder(self, one: str) -> str:
        # whole texts are separate words (`TEXT [TEXT ...]`); other values may also be joined with commas
        return f"{one} [{one} ...]" if self.verbatim else f"{one}[,{one}...]"

    def show(self, value: Any) -> str:
        if self.verbatim:  # whole texts may hold commas and spaces: one shell word each, as they are typed
            return shlex.join(self.element.show(item) for item in value)
        return ",".join(self.element.show(item) for item in value)


class Nullable(Kind):
    """A value or None; None stands for a default derived from other options (the help says which)."""

    def __init__(self, inner: Kind) -> None:
        self.inner = inner
        self.metavar = inner.metavar
        self.expected = inner.expected
        self.is_list, self.is_flag, self.joiner = inner.is_list, inner.is_flag, inner.joiner

    def parse(self, value: Any) -> Any:
        return None if value is None else self.inner.parse(value)

    def dump(self, value: Any) -> Any:
        return None if value is None else self.inner.dump(value)

    def show(self, value: Any) -> str:
        return "" if value is None else self.inner.show(value)

    def placeholder(self, one: str) -> str:
        return self.inner.placeholder(one)


class Either(Kind):
    """One of several kinds, tried in order (e.g. the word 'zeros' or a list of numbers)."""

    def __init__(self, kinds: tuple[Kind, ...]) -> None:
        self.kinds = kinds
        self.metavar = "|".join(kind.metavar for kind in kinds)
        self.expected = " or ".join(kind.expected for kind in kinds)
        self.is_list = any(kind.is_list for kind in kinds)

    def parse(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], str):
            value = value[0]  # `--w0 zeros` arrives as one word
        for kind in self.kinds:
            try:
                return kind.parse(value)
            except OptionError:
                continue
        raise OptionError(f"expected {self.expected}, got {value!r}")

    def _kind_of(self, value: Any) -> Kind:
        for kind in self.kinds:
            try:
                kind.parse(value)
                return kind
            except OptionError:
                continue
        return self.kinds[0]

    def dump(self, value: Any) -> Any:
        return self._kind_of(value).dump(value)

    def show(self, value: Any) -> str:
        return self._kind_of(value).show(value)


_SIMPLE = {bool: Flag, int: Whole, float: Number, str: Text, Path: FilePath}


def kind_of(annotation: Any) -> Kind:
    """The Kind of a (resolved) type annotation: bool, int, float, str, Path, Literal[...], tuple[X, ...],
    X | None, or a union of those."""
    if annotation in _SIMPLE:
        return _SIMPLE[annotation]()
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return Choice(tuple(str(arg) for arg in args))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return Several(kind_of(args[0]))
    if origin in (typing.Union, types.UnionType):
        members = tuple(arg for arg in args if arg is not type(None))
        inner = kind_of(members[0]) if len(members) == 1 else Either(tuple(kind_of(arg) for arg in members))
        return Nullable(inner) if len(members) < len(args) else inner
    raise TypeError(f"no option kind for the annotation {annotation!r}")


def verbatim(kind: Kind) -> Kind:
    """A list kind (or a nullable one) whose values are whole texts: see Several."""
    if isinstance(kind, Nullable):
        return Nullable(verbatim(kind.inner))
    if not isinstance(kind, Several):
        raise TypeError("Verbatim marks a list option (tuple[str, ...])")
    return Several(kind.element, verbatim=True)


def suggestion(word: str, candidates: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest candidate, or ''."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def is_finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
