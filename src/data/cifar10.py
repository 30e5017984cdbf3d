"""CIFAR-10 from the standard local download, in either official format, read without trusting pickles.

Accepted layouts (the path given, or a folder containing it):
  cifar-10-batches-py/   data_batch_1 .. data_batch_5, test_batch    (python pickles)
  cifar-10-batches-bin/  data_batch_1.bin .. data_batch_5.bin, test_batch.bin   (label byte + 3072 bytes)
Pickles go through an unpickler that only knows the globals the real files use (numpy's array
reconstruction), so a crafted file cannot run code. Nothing is ever downloaded.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import torch

from src.config.paths import CIFAR_FOLDERS, WHERE_TO_GET_CIFAR, check_image_folder
from src.data.image_splits import ImageSplits, split_off
from src.errors import UserError

PY_DIR, BIN_DIR = CIFAR_FOLDERS
TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_BATCH = "test_batch"
RECORD_BYTES = 1 + 3 * 32 * 32
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
WHERE_TO_GET = WHERE_TO_GET_CIFAR
VAL_FRACTION = 0.1  # 5,000 of the 50,000 training images


def _latin1_bytes(text: str, encoding: str) -> bytes:
    """What a protocol-2 pickle written by Python 3 calls `_codecs.encode` for: a bytes literal."""
    if encoding != "latin1":
        raise pickle.UnpicklingError(f"_codecs.encode with encoding {encoding!r} is not allowed")
    return text.encode("latin1")


_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(1))[0]  # numpy's array reconstruction function
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,  # how the original files name it
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,  # how NumPy 2 names it
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_bytes,
}


class _CifarUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing to load global {module}.{name}") from None


def restricted_unpickle(data: bytes) -> object:
    return _CifarUnpickler(io.BytesIO(data), encoding="bytes").load()


def find_cifar10(data_dir: str | Path) -> tuple[str, Path]:
    """("py" | "bin", the batches folder) for a path that is, or contains, one of the two official folders."""
    root = Path(data_dir)
    check_image_folder(root)
    for folder, kind in ((PY_DIR, "py"), (BIN_DIR, "bin")):
        for candidate in (root, root / folder):
            if candidate.name == folder and candidate.is_dir():
                return kind, candidate
    raise UserError(f"--data-dir {root}: neither {PY_DIR}/ nor {BIN_DIR}/ found there; {WHERE_TO_GET}")


def read_cifar10(data_dir: str | Path, seed: int = 0) -> ImageSplits:
    """The 50,000 training images split (seeded) into 45,000 train / 5,000 val, and the 10,000 test images."""
    kind, folder = find_cifar10(data_dir)
    suffix = ".bin" if kind == "bin" else ""
    names = [*TRAIN_BATCHES, TEST_BATCH]
    missing = [name + suffix for name in names if not (folder / (name + suffix)).is_file()]
    if missing:
        raise UserError(f"{folder}: missing {', '.join(missing)} (a complete download has all six; {WHERE_TO_GET})")
    reader = read_bin_batch if kind == "bin" else _read_py_batch
    parts = [reader(folder / (name + suffix)) for name in names]
    train_x = torch.cat([images for images, _ in parts[:-1]])
    train_y = torch.cat([labels for _, labels in parts[:-1]])
    train, val = split_off(train_x, train_y, round(VAL_FRACTION * len(train_y)), seed)
    return ImageSplits(name="cifar10", source=str(folder), classes=CLASSES, train=train, val=val, test=parts[-1])


def _read_py_batch(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    return read_py_batch(path, labels_required=True)


def read_py_batch(path: Path, labels_required: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A python-format batch: (N, 3, 32, 32) uint8 images and their labels, or None for a batch without a
    'labels' entry when they are not required (a test set whose labels are withheld)."""
    try:
        batch = restricted_unpickle(path.read_bytes())
    except pickle.UnpicklingError as exc:
        raise UserError(f"{path}: not a CIFAR-10 batch ({exc})") from None
    except Exception as exc:  # truncated or garbled files fail inside pickle in many ways
        raise UserError(f"{path}: not a readable CIFAR-10 python batch ({type(exc).__name__}: {exc})") from None
    if isinstance(batch, dict):  # the official files have bytes keys; a batch pickled by Python 3 may have str
        batch = {key.encode() if isinstance(key, str) else key: value for key, value in batch.items()}
    if not isinstance(batch, dict) or b"data" not in batch or (labels_required and b"labels" not in batch):
        wanted = "'data' and 'labels'" if labels_required else "'data' (and 'labels' when known)"
        raise UserError(f"{path}: expected a dict with {wanted} (a CIFAR-10 python batch)")
    data, labels = batch[b"data"], batch.get(b"labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        found = f"{data.dtype} {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise UserError(f"{path}: 'data' must be a uint8 array of N x 3072 pixels, got {found}")
    if labels is None:
        return torch.from_numpy(np.ascontiguousarray(data).reshape(-1, 3, 32, 32).copy()), None
    if isinstance(labels, np.ndarray) and labels.ndim == 1 and labels.dtype.kind in "iu":
        labels = labels.tolist()
    if not isinstance(labels, list) or not all(type(v) is int for v in labels):
        raise UserError(f"{path}: 'labels' must be a list of integers")
    outside = [v for v in labels if not 0 <= v < len(CLASSES)]  # checked before int64 conversion could overflow
    if outside:
        raise UserError(f"{path}: labels must be 0..9, found {min(labels)}..{max(labels)}")
    return _as_tensors(path, data, np.asarray(labels, dtype=np.int64))


def read_bin_batch(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if raw.size == 0 or raw.size % RECORD_BYTES:
        raise UserError(f"{path}: {raw.size} bytes is not a whole number of {RECORD_BYTES}-byte records (truncated?)")
    records = raw.reshape(-1, RECORD_BYTES)
    return _as_tensors(path, records[:, 1:], records[:, 0].astype(np.int64))


def _as_tensors(path: Path, pixels: np.ndarray, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    if len(labels) != len(pixels):
        raise UserError(f"{path}: {len(pixels)} images but {len(labels)} labels")
    if labels.size and (labels.min() < 0 or labels.max() >= len(CLASSES)):
        raise UserError(f"{path}: labels must be 0..9, found {labels.min()}..{labels.max()}")
    images = torch.from_numpy(np.ascontiguousarray(pixels).reshape(-1, 3, 32, 32).copy())  # (N, 3, 32, 32) uint8
    return images, torch.from_numpy(labels)
