"""The lock file (requirements/lock.txt) agrees with pyproject's ranges: every dependency, the dev extra
included, is locked at exactly one version that its range admits, and torch at the build requirements/ names."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def locked_versions(text: str) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name, _, version = line.partition("==")
        assert version, f"lock line without an exact version: {line!r}"
        assert canonicalize_name(name) not in pins, f"{name} is locked twice"
        pins[canonicalize_name(name)] = Version(version.split(";")[0].strip())
    return pins


def test_every_dependency_is_locked_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = locked_versions((ROOT / "requirements" / "lock.txt").read_text())
    wanted = [Requirement(spec) for spec in project["dependencies"] + project["optional-dependencies"]["dev"]]
    assert len(wanted) >= 15  # the whole list was read
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements/lock.txt: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"lock has {requirement.name}=={pins[name]}, outside pyproject's {requirement.specifier}: run `make lock`"
        )


def test_torch_is_locked_at_the_cpu_build_requirements_names():
    pins = locked_versions((ROOT / "requirements" / "lock.txt").read_text())
    named = locked_versions((ROOT / "requirements" / "torch-cpu.txt").read_text())
    assert named == {"torch": pins["torch"]} and pins["torch"].local == "cpu"


def test_a_line_without_an_exact_version_is_refused():
    with pytest.raises(AssertionError, match="without an exact version"):
        locked_versions("numpy>=2\n")
    assert locked_versions("# header\nnumpy==2.4.6\n    # via x\n") == {"numpy": Version("2.4.6")}
