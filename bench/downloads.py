"""Fetching and loading data by name, at CIFAR-10's real size on synthetic pixels, over a server on 127.0.0.1.

Each figure beside its plain-library baseline in the same process:
- download: our resumable, checksummed transfer (src/data/downloads) against `shutil.copyfileobj` of a plain
  `urlopen`, both from the same local server; throughput and the peak of Python's allocations while it ran
  (tracemalloc: flat means streamed, whatever the file's size);
- extraction: our checked extraction into the cache against `tarfile.extractall(filter="data")`;
- load: `read_cifar10` of the extracted folder; and the second `locate("cifar10")`, which should cost nothing.
The link here is the loopback: a real download runs at the network's speed. Prints one JSON object.

Usage: python bench/downloads.py [--per-batch 10000] [--reps 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import os
import shutil
import sys
import tarfile
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

if __package__ in (None, ""):  # `python bench/downloads.py`: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, machine, median
from src.data.cifar10 import read_cifar10
from src.data.downloads import catalog
from src.data.downloads.fetch import locate
from tests.archive_server import ArchiveServer
from tests.helpers import cifar_arrays, write_cifar_py


def cifar_archive(per_batch: int, folder: Path) -> bytes:
    """A CIFAR-10 python archive in the official layout; random pixels, so gzip cannot shrink it much."""
    source = write_cifar_py(folder, cifar_arrays(per_batch=per_batch, seed=0))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        tar.add(source, arcname="cifar-10-batches-py")
    return buffer.getvalue()


def timed(action) -> tuple[float, int]:
    """Seconds and the peak of Python's allocations (bytes) while `action` ran."""
    tracemalloc.start()
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def run(per_batch: int = 10_000, reps: int = 3) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-downloads-"))
    old = {name: os.environ.get(name) for name in ("CLASSIC_DL_CACHE", "CLASSIC_DL_MIRROR", "HF_HUB_OFFLINE")}
    original = catalog.ARCHIVES["cifar10"]
    try:
        data = cifar_archive(per_batch, work / "source")
        archive = dataclasses.replace(original, size=len(data), md5=hashlib.md5(data).hexdigest())
        catalog.ARCHIVES["cifar10"] = archive
        os.environ.pop("HF_HUB_OFFLINE", None)
        rows = {"ours": [], "plain": [], "ours_peak": [], "plain_peak": []}
        extract = {"ours": [], "plain": []}
        with ArchiveServer({archive.file: data}) as server:
            os.environ["CLASSIC_DL_MIRROR"] = server.endpoint
            for rep in range(reps):
                cache = work / f"cache-{rep}"
                os.environ["CLASSIC_DL_CACHE"] = str(cache)
                # plain: the same bytes with the standard library, no checks
                target = work / f"plain-{rep}.tar.gz"

                def plain_download(target=target) -> None:
                    with (
                        urllib.request.urlopen(f"{server.endpoint}/{archive.file}") as response,
                        target.open("wb") as out,
                    ):
                        shutil.copyfileobj(response, out, 1 << 20)

                seconds, peak = timed(plain_download)
                rows["plain"].append(seconds)
                rows["plain_peak"].append(peak)
                # ours: fetched by name (download, md5, rename, checked extraction), with the progress lines
                with open(os.devnull, "w") as quiet:
                    stdout, sys.stdout = sys.stdout, quiet
                    try:
                        from src.data.downloads.fetch import fetched_archive

                        seconds, peak = timed(lambda: fetched_archive(archive))
                        rows["ours"].append(seconds)
                        rows["ours_peak"].append(peak)
                        started = time.perf_counter()
                        located = locate("cifar10", "cifar10")
                        extract["ours"].append(time.perf_counter() - started)
                    finally:
                        sys.stdout = stdout
                started = time.perf_counter()
                with tarfile.open(target) as tar:
                    tar.extractall(work / f"plain-{rep}", filter="data")
                extract["plain"].append(time.perf_counter() - started)
            started = time.perf_counter()
            splits = read_cifar10(located.path)
            load = time.perf_counter() - started
            started = time.perf_counter()
            again = locate("cifar10", "cifar10")
            cached = time.perf_counter() - started
            assert again == located and len(server.gets(archive.file)) == 2 * reps
        size = len(data)
        return {
            "archive_bytes": size,
            "images": sum(splits.sizes().values()),
            "download_MB_per_s": {
                "ours": size / median(rows["ours"]) / 1e6,
                "plain": size / median(rows["plain"]) / 1e6,
            },
            "download_ratio_ours_to_plain": median(rows["plain"]) / median(rows["ours"]),
            "download_peak_python_MB": {
                "ours": max(rows["ours_peak"]) / 1e6,
                "plain": max(rows["plain_peak"]) / 1e6,
            },
            "extract_seconds": {"ours": median(extract["ours"]), "plain_extractall": median(extract["plain"])},
            "read_cifar10_seconds": load,
            "cached_locate_seconds": cached,
        }
    finally:
        catalog.ARCHIVES["cifar10"] = original
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-batch", type=int, default=10_000, help="images per batch file (CIFAR-10: 10,000)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    emit({"machine": machine(), "downloads": run(args.per_batch, args.reps)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
