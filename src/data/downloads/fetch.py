"""locate: what a data option names, as a local path: a folder as given, a local archive extracted into the
cache, or the course's dataset by name, fetched into the cache on first use and verified.

The cache (`$CLASSIC_DL_CACHE`, default ~/.cache/classic-dl-experiments):
  downloads/<archive file>          the official archive, renamed into place once its md5 matched
  downloads/<archive file>.part     a download in progress or interrupted (the next run resumes it)
  datasets/<name>-<md5[:12]>/       the archive extracted (for a local archive: keyed by its own md5)
A dataset already extracted costs nothing: neither the archive nor the network is touched again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from src.config.paths import ARCHIVE_SUFFIXES
from src.data.cache import cache_dir
from src.data.downloads.catalog import ARCHIVES, HUB_DATASETS, Archive, HubDataset
from src.data.downloads.hub import dataset_files
from src.data.downloads.lock import held
from src.data.downloads.space import check_space
from src.data.downloads.transfer import CHUNK, Unreachable, download
from src.errors import UserError

MIRROR_ENV = "CLASSIC_DL_MIRROR"  # archives from $CLASSIC_DL_MIRROR/<file> instead of their home URLs


@dataclass(frozen=True)
class Located:
    path: Path
    origin: dict | None = None  # where the data came from, for results.json; None for a folder given as is


def locate(value: str, name: str) -> Located:
    """`value` of an option that accepts the dataset `name`: the name itself, a local archive, or a path."""
    path = Path(value).expanduser()
    if value == name and not path.exists():  # a folder of that name is read as the folder it is
        return fetched_dataset(name)
    if name in ARCHIVES and path.is_file() and value.lower().endswith(ARCHIVE_SUFFIXES):
        return local_archive(path, ARCHIVES[name])
    return Located(path)


def fetched_dataset(name: str) -> Located:
    if name in HUB_DATASETS:
        return hub_dataset(HUB_DATASETS[name])
    archive = ARCHIVES[name]
    root = extracted(datasets_dir() / f"{name}-{archive.md5[:12]}", archive, lambda: fetched_archive(archive))
    return Located(root, {"name": name, "url": archive.url, "md5": archive.md5, "official": True})


def local_archive(path: Path, archive: Archive) -> Located:
    """A copy of the archive on disk: extracted into the cache (keyed by its md5), its checksum recorded."""
    md5 = file_md5(path)
    root = extracted(datasets_dir() / f"{archive.name}-{md5[:12]}", archive, lambda: path)
    official = md5 == archive.md5
    if not official:
        print(
            f"note: {path} has md5 {md5}, not the official {archive.file}'s {archive.md5} (a re-packed copy?); "
            "used as it is, and results.json says so",
            flush=True,
        )
    origin = {"name": archive.name, "file": str(path), "md5": md5, "official_md5": archive.md5, "official": official}
    return Located(root, origin)


def extracted(folder: Path, archive: Archive, source: Callable[[], Path]) -> Path:
    """`folder`/root, extracted from the archive `source()` gives once: a run that waited for another one's
    lock finds it done."""
    if not (folder / archive.root).is_dir():
        with held(folder, archive.title):
            if not (folder / archive.root).is_dir():
                extract(source(), folder, archive)
    return folder / archive.root


def fetched_archive(archive: Archive) -> Path:
    """The official archive in the cache: there already (put there by hand, or by an earlier run), or fetched."""
    target = downloads_dir() / archive.file
    manual = f"download {archive.url} by hand and pass it ({archive.option} {archive.file}), or put it at {target}"
    with held(target, archive.title):
        if target.exists():
            md5 = file_md5(target)
            if md5 != archive.md5:
                raise UserError(
                    f"{target}: md5 {md5}, not the official archive's {archive.md5}; delete it to fetch it again, "
                    f"or pass it as {archive.option} {target} to use it as it is"
                )
            return target
        url = archive_url(archive)
        if offline():
            raise UserError(f"{archive.option} {archive.name}: HF_HUB_OFFLINE=1 forbids fetching {url}; {manual}")
        check_space(target.parent, archive.size + archive.extracted, f"{archive.title} ({archive.file})")
        print(f"fetching {archive.title} from {url} into {target.parent}", flush=True)
        part = target.with_name(target.name + ".part")
        try:
            partial = download(url, part, archive.size, archive.file)
            md5 = partial.md5()
            if md5 != archive.md5:
                partial.restart()
                raise UserError(f"{url}: md5 {md5} instead of {archive.md5}: not the expected file; deleted it")
            os.replace(part, target)
        except Unreachable as exc:
            where = f"{archive.option} {archive.name}: cannot reach {url}"
            raise UserError(f"{where} ({exc}): no network?; {manual}") from None
        except OSError as exc:  # the disk, not the network (that is Unreachable or a UserError)
            raise UserError(f"{part}: cannot write it ({exc.strerror or exc}); set CLASSIC_DL_CACHE") from None
    return target


def extract(file: Path, folder: Path, archive: Archive) -> None:
    check_space(folder.parent, archive.extracted, f"{archive.title} extracted")
    print(f"extracting {file.name} into {folder} ...", flush=True)
    from src.data.downloads.extract import extract_archive

    extract_archive(file, folder, archive.root, archive.layout, archive.title)


def hub_dataset(dataset: HubDataset) -> Located:
    what = f"{dataset.option} {dataset.name} ({dataset.repo} at {dataset.revision[:12]} on the Hugging Face Hub)"
    folder_hint = ", ".join(Path(name).name for name in dataset.files)
    manual = f"or download {folder_hint} by hand into one folder and pass --data FOLDER"
    paths = dataset_files(dataset.repo, dataset.files, dataset.revision, dataset.size, what, manual)
    origin = {"name": dataset.name, "hub": dataset.repo, "revision": dataset.revision, "files": list(dataset.files)}
    return Located(paths[0].parent, origin)


def archive_url(archive: Archive) -> str:
    mirror = os.environ.get(MIRROR_ENV)
    if not mirror:
        return archive.url
    if urlsplit(mirror).scheme not in ("http", "https"):
        raise UserError(
            f"{MIRROR_ENV}={mirror}: expected an http:// or https:// URL, the folder holding {archive.file}"
        )
    return f"{mirror.rstrip('/')}/{archive.file}"


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in ("1", "ON", "YES", "TRUE")


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    try:
        with path.open("rb") as file:
            while chunk := file.read(CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return digest.hexdigest()


def downloads_dir() -> Path:
    return cache_dir() / "downloads"


def datasets_dir() -> Path:
    return cache_dir() / "datasets"
