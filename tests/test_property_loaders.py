"""Property-based: whatever bytes or contents a file holds, a loader returns valid data or raises the
project's one-line UserError; no other exception ever escapes."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from src.data import load_regression, read_cifar10
from src.data.regression_file import RegressionData
from src.errors import UserError

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def outcome(path) -> RegressionData | None:
    """The data if it loaded (then checked for consistency), None for a UserError; anything else fails."""
    try:
        data = load_regression(path)
    except UserError as exc:
        assert "\n" not in str(exc)
        return None
    assert np.isfinite(data.X).all() and np.isfinite(data.D).all()
    assert (data.X[:, 0] == 1).all() and data.X.shape[0] == data.D.shape[0] >= data.X.shape[1] >= 2
    return data


@FAST
@given(blob=st.binary(max_size=4096), suffix=st.sampled_from([".mat", ".npz", ".csv"]))
def test_random_bytes(tmp_path, blob, suffix):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(blob)
    outcome(path)


@FAST
@given(blob=st.binary(max_size=2048), prefix=st.sampled_from([b"MATLAB 5.0 MAT-file", b"PK\x03\x04", b"\x93NUMPY"]))
def test_random_bytes_behind_a_plausible_header(tmp_path, blob, prefix):
    for suffix in (".mat", ".npz"):
        path = tmp_path / f"random{suffix}"
        path.write_bytes(prefix + blob)
        outcome(path)


CELL = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
    st.sampled_from(["", "nan", "inf", "-inf", "1e400", " 3 ", "1,5", '"2"', "\x00"]),
)


@FAST
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=0, max_size=12))
def test_random_csv_content(tmp_path, rows):
    path = tmp_path / "random.csv"
    path.write_text("\n".join(",".join(row) for row in rows), encoding="utf-8", errors="surrogatepass")
    outcome(path)


ARRAY = hnp.arrays(
    dtype=st.one_of(hnp.integer_dtypes(), hnp.floating_dtypes(), hnp.complex_number_dtypes(), hnp.boolean_dtypes()),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=6),
)


@FAST
@given(X=ARRAY, D=ARRAY, keys=st.sampled_from([("X", "D"), ("X",), ("x", "D"), ("X", "D", "extra")]))
def test_random_npz_content(tmp_path, X, D, keys):
    arrays = dict(zip(keys, (X, D, np.zeros(3)), strict=False))
    np.savez(tmp_path / "random.npz", **arrays)
    outcome(tmp_path / "random.npz")


@FAST
@given(X=ARRAY, D=ARRAY)
def test_random_mat_content(tmp_path, X, D):
    import scipy.io

    try:
        scipy.io.savemat(tmp_path / "random.mat", {"X": X, "D": D})
    except Exception:
        return
    outcome(tmp_path / "random.mat")


def test_a_zip_bomb_like_member_is_refused_quickly(tmp_path):
    """An .npz member claiming a huge array cannot make the loader allocate it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        header = (
            b"\x93NUMPY\x01\x00"
            + b"{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 3), }".ljust(118)
            + b"\n"
        )
        archive.writestr("X.npy", header)
        archive.writestr("D.npy", header)
    (tmp_path / "bomb.npz").write_bytes(buffer.getvalue())
    assert outcome(tmp_path / "bomb.npz") is None


@FAST
@given(blob=st.binary(max_size=4096), binary_format=st.booleans())
def test_random_cifar_batches(tmp_path, blob, binary_format):
    from helpers import cifar_arrays, write_cifar_bin, write_cifar_py

    folder = (write_cifar_bin if binary_format else write_cifar_py)(tmp_path / "c", cifar_arrays(per_batch=2))
    name = "data_batch_3.bin" if binary_format else "data_batch_3"
    (folder / name).write_bytes(blob)
    try:
        read_cifar10(tmp_path / "c")
    except UserError as exc:
        assert "\n" not in str(exc)


@pytest.fixture
def tmp_path(tmp_path_factory):
    # hypothesis runs many examples per test: a fresh directory each time keeps them independent
    return tmp_path_factory.mktemp("prop")
