"""extract_archive: a tar archive unpacked into a cache folder safely, completely or not at all.

Every member is checked before anything is written: only plain files and folders, with relative names that stay
inside the target (no absolute paths, no `..`, no links, no devices). Python's "data" filter checks the same again
as it extracts. The archive goes into a staging folder that is renamed into place only once it is complete and its
layout is the expected one, so an interruption, a corrupt archive or a hostile member leaves nothing behind.
"""

from __future__ import annotations

import tarfile
import zlib
from pathlib import Path, PurePosixPath

from src.data.cache import publish_folder
from src.errors import UserError


def unsafe(member: tarfile.TarInfo) -> str | None:
    """Why `member` may not be extracted, or None."""
    name = PurePosixPath(member.name)
    if name.is_absolute() or member.name.startswith(("/", "\\")):
        return "an absolute path"
    if ".." in name.parts:
        return "a path that climbs out with '..'"
    if member.issym() or member.islnk():
        return f"a link (to {member.linkname})"
    if not (member.isfile() or member.isdir()):
        return "not a plain file or folder"
    return None


def extract_archive(archive: Path, target: Path, root: str, layout: tuple[str, ...], what: str) -> Path:
    """`archive` unpacked into `target` (a new cache folder); `root`/`layout` must be in it. Returns target."""

    def write(staging: Path) -> None:
        try:
            with tarfile.open(archive, "r:*") as tar:
                for member in tar:
                    problem = unsafe(member)
                    if problem is not None:
                        raise UserError(f"{archive}: refusing to extract {member.name!r}: {problem}")
                    tar.extract(member, staging, filter="data")
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise UserError(f"{archive}: a truncated or corrupt archive ({exc})") from None
        except OSError as exc:
            if exc.errno is None:  # gzip's BadGzipFile and friends: the archive, not the disk
                raise UserError(f"{archive}: a truncated or corrupt archive ({exc})") from None
            raise
        missing = [part for part in layout if not (staging / root / part).exists()]
        if missing:
            raise UserError(f"{archive}: not {what}: {root}/{missing[0]} is missing inside it")

    return publish_folder(target, write)
