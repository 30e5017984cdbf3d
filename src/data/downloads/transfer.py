"""download: one file over HTTP(S), streamed to disk in chunks (memory stays flat whatever its size), resumed
with an HTTP Range request after a dropped connection (in this run, or by the next run from the `.part` file),
and started over cleanly when the server cannot resume. The caller checks the checksum and renames the file."""

from __future__ import annotations

import hashlib
import http.client
import time
import urllib.error
import urllib.request
from pathlib import Path

from src.data.downloads.progress import Progress
from src.errors import UserError

CHUNK = 1 << 20
TIMEOUT = 60  # seconds without a byte before the connection counts as dropped
ATTEMPTS = 5  # failures in a row (dropped without a byte, or started over) before giving up
BACKOFF = 0.5  # seconds before a retry, times the failures so far
USER_AGENT = "classic-dl-experiments"


class ConnectionLost(Exception):
    """The transfer stopped before the end; what arrived is kept and the next attempt resumes after it."""


class Unreachable(Exception):
    """No answer at all (no network, a name that does not resolve, a server that is down)."""


class Partial:
    """The `.part` file and the md5 of its bytes so far."""

    def __init__(self, path: Path, size: int):
        self.path, self.digest, self.have, self.restarts = path, hashlib.md5(), 0, 0
        if path.exists():
            if path.stat().st_size > size:  # not a prefix of this file: start over
                path.unlink()
            else:
                with path.open("rb") as existing:
                    while chunk := existing.read(CHUNK):
                        self.digest.update(chunk)
                        self.have += len(chunk)

    def restart(self) -> None:
        self.path.unlink(missing_ok=True)
        self.digest, self.have = hashlib.md5(), 0
        self.restarts += 1

    def md5(self) -> str:
        return self.digest.hexdigest()


def download(url: str, part: Path, size: int, label: str) -> Partial:
    """Bring `part` to `size` bytes from `url`; returns it with its md5. Raises Unreachable when nothing could be
    reached at all, UserError for an answer that is not the file; a disk error (OSError) goes to the caller."""
    partial = Partial(part, size)
    progress = Progress(label, size, partial.have)
    failures = 0
    try:
        while partial.have < size:
            before, restarts = partial.have, partial.restarts
            try:
                transfer(url, partial, size, progress)
            except ConnectionLost as exc:
                progressed = partial.have > before and partial.restarts == restarts
                failures = 0 if progressed else failures + 1
                if failures >= ATTEMPTS:
                    raise UserError(
                        f"{url}: the transfer failed {ATTEMPTS} times in a row ({exc}); {partial.have:,} of "
                        f"{size:,} bytes are kept in {part} and the next run resumes from there"
                    ) from None
            except Unreachable:
                if partial.have == 0 and before == 0 and failures == 0:
                    raise
                failures += 1
                if failures >= ATTEMPTS:
                    raise UserError(
                        f"{url}: the server stopped answering; {partial.have:,} of {size:,} bytes are kept in "
                        f"{part} and the next run resumes from there"
                    ) from None
            time.sleep(BACKOFF * failures)  # no pause while it makes progress
    finally:
        progress.finish()
    return partial


def transfer(url: str, partial: Partial, size: int, progress: Progress) -> None:
    headers = {"User-Agent": USER_AGENT}
    if partial.have:
        headers["Range"] = f"bytes={partial.have}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and partial.have:  # the server cannot serve the rest of what we have: start over
            partial.restart()
            progress.restart()
            raise ConnectionLost("the server could not resume; starting over") from None
        raise UserError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise Unreachable(reason(exc)) from None
    with response:
        if partial.have and not resumes_at(response, partial.have):
            partial.restart()  # it sent the whole file, or another range: take it from the start
            progress.restart()
        announced = response.headers.get("Content-Length")
        if announced is not None and announced.isdigit() and partial.have + int(announced) != size:
            total = partial.have + int(announced)
            partial.restart()
            raise UserError(f"{url}: the server sends {total:,} bytes, not the expected {size:,}: not that file")
        with partial.path.open("ab") as out:
            while chunk := read(response):
                out.write(chunk)
                partial.digest.update(chunk)
                partial.have += len(chunk)
                if partial.have > size:
                    partial.restart()
                    raise UserError(f"{url}: sent more than the expected {size:,} bytes; not the expected file")
                progress.update(partial.have)
    if partial.have < size:
        raise ConnectionLost(f"the server closed the connection after {partial.have:,} bytes")


def read(response) -> bytes:
    """The next chunk; a failure of the connection (not of the disk) is a ConnectionLost."""
    try:
        return response.read(CHUNK)
    except (http.client.HTTPException, OSError) as exc:  # resets, timeouts, TLS errors
        raise ConnectionLost(reason(exc)) from None


def resumes_at(response, offset: int) -> bool:
    """Whether a response to a Range request continues at `offset` (206 with a Content-Range from there)."""
    content_range = response.headers.get("Content-Range", "")
    return response.status == 206 and content_range.startswith(f"bytes {offset}-")


def reason(exc: BaseException) -> str:
    inner = getattr(exc, "reason", None)
    if isinstance(inner, BaseException):
        exc = inner
    text = str(inner if isinstance(inner, str) else exc).strip()
    return text or type(exc).__name__
