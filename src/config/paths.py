"""Checks of the files and folders that options name, made while the options are read (before torch loads),
and again by the readers themselves, with the same words."""

from __future__ import annotations

from pathlib import Path

from src.errors import UserError

REGRESSION_LAYOUT = "X: N x (p+1) with a leading column of ones, D: N x 1"
CIFAR_FOLDERS = ("cifar-10-batches-py", "cifar-10-batches-bin")
WHERE_TO_GET_CIFAR = (
    "download 'CIFAR-10 python version' or 'binary version' from https://www.cs.toronto.edu/~kriz/cifar.html "
    "and extract it"
)


def check_regression_file(path: Path) -> None:
    if path.is_dir():
        raise UserError(f"{path}: is a directory; expected a .mat, .npz or .csv file with {REGRESSION_LAYOUT}")
    if not path.is_file():
        raise UserError(f"{path}: no such file (expected a .mat, .npz or .csv file with {REGRESSION_LAYOUT})")


def check_image_folder(path: Path) -> None:
    if not path.is_dir():
        py, binary = CIFAR_FOLDERS
        raise UserError(f"--data-dir {path}: no such directory (expected {py}/ or {binary}/; {WHERE_TO_GET_CIFAR})")
