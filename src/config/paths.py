"""Checks of the files and folders that options name, made while the options are read (before torch loads),
and again by the readers themselves, with the same words."""

from __future__ import annotations

from pathlib import Path

from src.errors import UserError

# The course's data by name, fetched into the cache on first use (src/data/downloads holds where from).
CIFAR10, IMDB, WIKITEXT2 = "cifar10", "imdb", "wikitext-2"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
REGRESSION_LAYOUT = "X: N x (p+1) with a leading column of ones, D: N x 1"
CIFAR_FOLDERS = ("cifar-10-batches-py", "cifar-10-batches-bin")
WHERE_TO_GET_CIFAR = (
    "--data-dir cifar10 fetches it; or download 'CIFAR-10 python version' from "
    "https://www.cs.toronto.edu/~kriz/cifar.html and pass the archive or the folder it extracts to"
)
HUB_ID = r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$"  # a Hugging Face Hub repository id: gpt2, openai-community/gpt2


def check_regression_file(path: Path) -> None:
    if path.is_dir():
        raise UserError(f"{path}: is a directory; expected a .mat, .npz or .csv file with {REGRESSION_LAYOUT}")
    if not path.is_file():
        raise UserError(f"{path}: no such file (expected a .mat, .npz or .csv file with {REGRESSION_LAYOUT})")


def is_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES)


def check_data_path(option: str, value: str, names: tuple[str, ...]) -> None:
    """A data option names one of `names` (embedded, or a dataset fetched by name) or an existing path."""
    if value not in names and not Path(value).exists():
        choices = " or ".join(repr(name) for name in names)
        raise UserError(f"{option} {value}: no such file or directory (or {choices})")


def check_image_folder(path: Path) -> None:
    if is_archive(path):
        return  # checked as it is extracted
    if not path.is_dir():
        py, binary = CIFAR_FOLDERS
        raise UserError(f"--data-dir {path}: no such directory (expected {py}/ or {binary}/; {WHERE_TO_GET_CIFAR})")
