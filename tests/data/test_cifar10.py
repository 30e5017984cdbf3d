"""CIFAR-10 readers on tiny folders written in both official formats; hostile and broken inputs."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
import torch
from helpers import CIFAR_NAMES, cifar_arrays, write_cifar_bin, write_cifar_py

from src.cli import main
from src.data import read_cifar10, restricted_unpickle
from src.errors import UserError


def all_train(arrays):
    data = np.concatenate([arrays[n][0] for n in CIFAR_NAMES[:5]])
    labels = np.concatenate([arrays[n][1] for n in CIFAR_NAMES[:5]])
    return data, labels


def as_rows(images: torch.Tensor) -> set[bytes]:
    return {img.numpy().tobytes() for img in images}


@pytest.mark.parametrize("writer", [write_cifar_py, write_cifar_bin], ids=["python", "binary"])
def test_reads_the_official_layout(tmp_path, writer):
    arrays = cifar_arrays(per_batch=6)
    folder = writer(tmp_path, arrays)
    splits = read_cifar10(tmp_path, seed=0)  # the parent folder works ...
    again = read_cifar10(folder, seed=0)  # ... and so does the batches folder itself
    assert torch.equal(splits.train[0], again.train[0])
    assert splits.sizes() == {"train": 27, "val": 3, "test": 6}  # 10 % of the training images for validation
    test_data, test_labels = arrays["test_batch"]
    assert torch.equal(splits.test[0], torch.from_numpy(test_data.reshape(-1, 3, 32, 32)))
    assert splits.test[1].tolist() == test_labels.tolist()
    # channel-major planes: pixel (c, y, x) is byte c*1024 + y*32 + x of a row
    assert splits.test[0][2, 1, 5, 7] == test_data[2, 1 * 1024 + 5 * 32 + 7]
    data, labels = all_train(arrays)
    held = torch.cat([splits.train[0], splits.val[0]])
    assert as_rows(held) == {row.reshape(3, 32, 32).tobytes() for row in data}  # a split, nothing lost
    assert sorted(torch.cat([splits.train[1], splits.val[1]]).tolist()) == sorted(labels.tolist())
    assert splits.name == "cifar10" and splits.classes[0] == "airplane"


def test_both_formats_give_the_same_splits(tmp_path):
    arrays = cifar_arrays()
    a = read_cifar10(write_cifar_py(tmp_path / "a", arrays), seed=3)
    b = read_cifar10(write_cifar_bin(tmp_path / "b", arrays), seed=3)
    for part in ("train", "val", "test"):
        assert all(torch.equal(x, y) for x, y in zip(getattr(a, part), getattr(b, part), strict=True))


def test_the_split_is_seeded(tmp_path):
    write_cifar_bin(tmp_path, cifar_arrays(per_batch=10))
    first, same, other = read_cifar10(tmp_path, 1), read_cifar10(tmp_path, 1), read_cifar10(tmp_path, 2)
    assert torch.equal(first.val[0], same.val[0])
    assert not torch.equal(first.val[0], other.val[0])


def test_python_3_protocol_2_and_modern_pickles_are_both_accepted(tmp_path):
    arrays = cifar_arrays()
    for protocol in (2, 4):
        read_cifar10(write_cifar_py(tmp_path / str(protocol), arrays, protocol=protocol))


class Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_naming_any_other_global_is_refused_and_never_run(tmp_path):
    arrays = cifar_arrays()
    folder = write_cifar_py(tmp_path, arrays)
    marker = tmp_path / "pwned"
    batch = {b"data": arrays["data_batch_2"][0], b"labels": Exploit(marker)}
    (folder / "data_batch_2").write_bytes(pickle.dumps(batch, protocol=2))
    with pytest.raises(UserError, match=r"data_batch_2: not a CIFAR-10 batch \(refusing to load global posix.system\)"):
        read_cifar10(tmp_path)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("module", "name"),
    [("builtins", "eval"), ("numpy", "load"), ("subprocess", "Popen"), ("collections", "OrderedDict")],
)
def test_the_unpickler_allows_only_numpy_array_globals(module, name):
    payload = f"c{module}\n{name}\n.".encode()  # protocol 0: GLOBAL opcode, then STOP
    with pytest.raises(pickle.UnpicklingError, match=f"refusing to load global {module}.{name}"):
        restricted_unpickle(payload)


def _error(tmp_path) -> str:
    with pytest.raises(UserError) as info:
        read_cifar10(tmp_path)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_missing_directory(tmp_path):
    with pytest.raises(UserError, match=r"no such directory .*cs\.toronto\.edu"):
        read_cifar10(tmp_path / "nope")


def test_directory_without_cifar(tmp_path):
    assert "neither cifar-10-batches-py/ nor cifar-10-batches-bin/ found" in _error(tmp_path)


def test_missing_batches_are_listed(tmp_path):
    folder = write_cifar_bin(tmp_path, cifar_arrays())
    (folder / "data_batch_3.bin").unlink()
    (folder / "test_batch.bin").unlink()
    assert "missing data_batch_3.bin, test_batch.bin" in _error(tmp_path)


def test_truncated_binary_batch(tmp_path):
    folder = write_cifar_bin(tmp_path, cifar_arrays())
    path = folder / "data_batch_1.bin"
    path.write_bytes(path.read_bytes()[:-100])
    assert "data_batch_1.bin: 12192 bytes is not a whole number of 3073-byte records" in _error(tmp_path)


def test_truncated_python_batch(tmp_path):
    folder = write_cifar_py(tmp_path, cifar_arrays())
    path = folder / "data_batch_4"
    path.write_bytes(path.read_bytes()[:500])
    assert "data_batch_4: not a CIFAR-10 batch (pickle data was truncated)" in _error(tmp_path)


@pytest.mark.parametrize("writer", [write_cifar_py, write_cifar_bin], ids=["python", "binary"])
def test_labels_out_of_range(tmp_path, writer):
    arrays = cifar_arrays()
    arrays["data_batch_5"][1][2] = 10
    writer(tmp_path, arrays)
    assert "labels must be 0..9, found" in _error(tmp_path)


def test_wrong_contents_in_python_batch(tmp_path):
    folder = write_cifar_py(tmp_path, cifar_arrays())
    (folder / "data_batch_1").write_bytes(pickle.dumps({b"data": np.zeros((4, 100), np.uint8), b"labels": [0] * 4}))
    assert "'data' must be a uint8 array of N x 3072 pixels, got uint8 (4, 100)" in _error(tmp_path)
    (folder / "data_batch_1").write_bytes(pickle.dumps([1, 2, 3]))
    assert "expected a dict with 'data' and 'labels'" in _error(tmp_path)


def test_cli_reports_a_broken_folder_in_one_line(tmp_path, capsys):
    status = main(["classify", "--data-dir", str(tmp_path), "--logdir", str(tmp_path / "runs"), "--no-progress-bar"])
    err = capsys.readouterr().err.strip()
    assert status == 2 and err.startswith("error: --data-dir") and "\n" not in err
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").glob("*/version_*"))
