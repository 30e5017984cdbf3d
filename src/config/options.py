"""Options, declared once: a frozen dataclass field with a type, a default, checks and the help under it.

    @dataclass(frozen=True)
    class LMSOptions(Options):
        \"\"\"LMS\"\"\"                                  # the title of this group in --help

        epochs: Annotated[int, AtLeast(1)] = 20
        \"\"\"passes over the data per rate\"\"\"        # the option's help

From such classes come the command line and its --help (src/cli), validation (`build`, `validate`),
config.json (`to_json`, `from_json`) and what may change when a run resumes (`Adjustable`). Commands combine
option groups by inheritance (`class ClassifyConfig(ImageRun, ResumeOptions)`). Nothing here
imports torch or Lightning, so --help and argument errors answer at once.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import itertools
import textwrap
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from src.config.checks import Adjustable, Check, Metavar, NotSaved, Verbatim, problems
from src.config.kinds import Kind, OptionError, kind_of, suggestion, verbatim
from src.errors import UserError

C = TypeVar("C", bound="Options")


@dataclass(frozen=True)
class Machine:
    """What the machine that runs offers; configs resolve 'auto' values against it."""

    cuda: bool = False
    bf16: bool = False  # a CUDA GPU with bfloat16 support
    mps: bool = False


class Options:
    """Base of every option group. Subclasses that override `check` or `resolved` call super() first, so that
    every group of a combined config takes part."""

    def check(self) -> None:
        """Checks between options (single-option checks come from the declarations); raise UserError."""

    def resolved(self: C, machine: Machine) -> C:
        """The config with 'auto' and derived values replaced by the ones this machine will use (stored in
        config.json, so a resumed run can never switch them silently)."""
        return self


@dataclass(frozen=True)
class OptionField:
    name: str
    kind: Kind
    default: Any
    checks: tuple[Check, ...]
    help: str
    group: str  # the title of the option group that declares it
    adjustable: bool  # may differ from the saved value when a run is resumed
    saved: bool  # part of config.json
    metavar: str  # the value's placeholder in --help

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def convert(self, value: Any) -> Any:
        """`value` (command-line text or a file's value) as this option's type; UserError naming the option."""
        try:
            converted = self.kind.parse(value)
        except OptionError as exc:
            raise UserError(f"{self.flag}: {exc}") from None
        problem = None if converted is None else problems(self.checks, converted)
        if problem:
            raise UserError(f"{self.flag}: {problem}")
        return converted


@functools.cache
def option_fields(config: type) -> tuple[OptionField, ...]:
    """Every option of a config class, in declaration order (base groups first)."""
    hints = typing.get_type_hints(config, include_extras=True)
    docs = _attribute_docstrings(config)
    owners = _declaring_classes(config)
    fields = []
    for field in dataclasses.fields(config):
        hint = hints[field.name]
        metadata: tuple = ()
        if typing.get_origin(hint) is typing.Annotated:
            hint, *extra = typing.get_args(hint)
            metadata = tuple(extra)
        kind = kind_of(hint)
        if any(isinstance(m, Verbatim) for m in metadata):
            kind = verbatim(kind)
        fields.append(
            OptionField(
                name=field.name,
                kind=kind,
                default=field.default,
                checks=tuple(m for m in metadata if isinstance(m, Check)),
                help=docs.get(field.name, ""),
                group=_title(owners[field.name]),
                adjustable=any(isinstance(m, Adjustable) for m in metadata),
                saved=not any(isinstance(m, NotSaved) for m in metadata),
                metavar=next((kind.placeholder(m.text) for m in metadata if isinstance(m, Metavar)), kind.metavar),
            )
        )
    return tuple(fields)


def build(config: type[C], values: Mapping[str, Any]) -> C:
    """A checked config from option values (text or typed); options not given keep their defaults."""
    fields = {field.name: field for field in option_fields(config)}
    unknown = [name for name in values if name not in fields]
    if unknown:
        raise UserError(f"unknown option {unknown[0]!r}{suggestion(unknown[0], fields)}")
    cfg = config(**{name: fields[name].convert(value) for name, value in values.items()})
    cfg.check()
    return cfg


def validate(cfg: Options) -> None:
    """The checks `build` runs, for a config made in code (a study's parts, a resumed run's options)."""
    for field in option_fields(type(cfg)):
        field.convert(getattr(cfg, field.name))
    cfg.check()


def to_json(cfg: Options) -> dict[str, Any]:
    """The saved options as JSON values (config.json, results.json["config"])."""
    return {f.name: f.kind.dump(getattr(cfg, f.name)) for f in option_fields(type(cfg)) if f.saved}


def from_json(config: type[C], data: Mapping[str, Any]) -> C:
    """A config from `to_json`'s output; an option not in `data` keeps its default."""
    return build(config, data)


def _declaring_classes(config: type) -> dict[str, type]:
    """Field name -> the class whose body first declares it (base groups own their fields)."""
    owners: dict[str, type] = {}
    for klass in reversed(config.__mro__):
        for name in inspect.get_annotations(klass):
            owners.setdefault(name, klass)
    return owners


def _title(klass: type) -> str:
    doc = inspect.getdoc(klass) or klass.__name__
    return doc.strip().splitlines()[0]


@functools.cache
def _attribute_docstrings(config: type) -> dict[str, str]:
    """Field name -> the string literal under it, searched from the most derived class down."""
    docs: dict[str, str] = {}
    for klass in config.__mro__:
        if klass is object or not dataclasses.is_dataclass(klass):
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0].body
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs.setdefault(statement.target.id, " ".join(following.value.value.split()))
    return docs
