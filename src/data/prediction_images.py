"""The images `predict` labels: a CIFAR-10 test batch, with its labels or without them (a hidden test set).

Accepted (`--data-dir`): 'cifar10' (fetched by name), a CIFAR-10 archive, a CIFAR-10 download
(cifar-10-batches-py/ or -bin/, or the folder holding it), whose test_batch is read; a folder holding a test
batch file (test_batch, test_batch.bin, or a single *.bin / python batch); or such a file itself. A python batch
may lack 'labels': the predictions are then written without an accuracy. Images keep the file's order, which is
the order of the rows in predictions.csv.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from src.config.paths import CIFAR10, CIFAR_FOLDERS
from src.data.cifar10 import read_bin_batch, read_py_batch
from src.data.downloads import locate
from src.errors import UserError

TEST_BATCH = "test_batch"


@dataclass(frozen=True)
class PredictionImages:
    images: torch.Tensor  # (N, C, H, W) uint8, in file order
    labels: torch.Tensor | None  # (N,) int64, or None when the file has none
    source: str


def read_prediction_images(path: str | Path) -> PredictionImages:
    file = find_test_batch(locate(str(path), CIFAR10).path)  # 'cifar10' and an archive: extracted in the cache
    if file.suffix == ".bin":
        images, labels = read_bin_batch(file)
    else:
        images, labels = read_py_batch(file, labels_required=False)
    if len(images) == 0:
        raise UserError(f"{file}: no images in this test batch")
    return PredictionImages(images, labels, str(file))


def find_test_batch(path: Path) -> Path:
    if path.is_file():
        return path
    if not path.is_dir():
        raise UserError(f"--data-dir {path}: no such file or directory (expected a CIFAR-10 folder or test batch)")
    folders = [path / name for name in CIFAR_FOLDERS if (path / name).is_dir()]
    for folder in [path, *folders]:
        for name in (TEST_BATCH, TEST_BATCH + ".bin"):
            if (folder / name).is_file():
                return folder / name
    try:
        candidates = [p for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")]
    except OSError as exc:
        raise UserError(f"--data-dir {path}: cannot list the folder ({exc.strerror or exc})") from None
    if len(candidates) == 1:
        return candidates[0]
    raise UserError(
        f"--data-dir {path}: no {TEST_BATCH} or {TEST_BATCH}.bin there (nor in {'/ or '.join(CIFAR_FOLDERS)}/), "
        f"and {len(candidates)} other files: name the test batch file itself"
    )
