"""The images `predict` labels, read from a CIFAR-10 download; and product code is not named like a test."""

from __future__ import annotations

from pathlib import Path

import torch
from helpers import cifar_arrays, write_cifar_bin

from src.data.prediction_images import read_prediction_images

SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_test_batch_of_a_download_is_read_in_file_order(tmp_path):
    arrays = cifar_arrays(per_batch=5, seed=1)
    write_cifar_bin(tmp_path, arrays)
    read = read_prediction_images(tmp_path)
    data, labels = arrays["test_batch"]
    assert torch.equal(read.images, torch.from_numpy(data.reshape(-1, 3, 32, 32)))
    assert read.labels.tolist() == labels.tolist()
    assert read.source.endswith("cifar-10-batches-bin/test_batch.bin")


def test_no_product_module_is_named_like_a_test_module():
    """Regression: src/data/test_images.py looked like a test module (pytest's pattern) though it is product code."""
    named_like_tests = [p for p in SRC.rglob("*.py") if p.name.startswith("test_") or p.stem.endswith("_test")]
    assert named_like_tests == []
