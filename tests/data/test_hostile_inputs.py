"""Broken and hostile input files: each gives the project's one-line error, nothing else happens."""

from __future__ import annotations

import os
import pickle
import time

import numpy as np
import pytest
import scipy.io
from helpers import make_regression, write_csv

from src.data import load_regression
from src.errors import UserError


def error_of(path) -> str:
    with pytest.raises(UserError) as info:
        load_regression(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


# ---- .mat ----


def test_truncated_mat(tmp_path):
    X, D = make_regression(n=50)
    path = tmp_path / "d.mat"
    scipy.io.savemat(path, {"X": X, "D": D.reshape(-1, 1)})
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert "not a readable MATLAB file" in error_of(path)


def test_matlab_v73_hdf5(tmp_path):
    path = tmp_path / "d.mat"
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .".ljust(116) + b"\0" * 8 + b"\0\x02IM"
    path.write_bytes(header + b"\x89HDF\r\n\x1a\n" + b"\0" * 256)
    assert "MATLAB v7.3 (HDF5) files are not supported; save with -v7 or -v6" in error_of(path)


@pytest.mark.parametrize(
    ("value", "kind"),
    [("a string", "<U8"), (np.array([[1, "a"]], dtype=object), "object"), ({"field": 1}, "[('field', 'O')]")],
    ids=["char", "cell", "struct"],
)
def test_mat_with_wrong_variable_types(tmp_path, value, kind):
    path = tmp_path / "d.mat"
    scipy.io.savemat(path, {"X": value, "D": np.ones((5, 1))})
    assert f"X must be a real numeric matrix, got an array of dtype {kind}" in error_of(path)


def test_mat_with_complex_numbers(tmp_path):
    X, D = make_regression(n=10)
    scipy.io.savemat(tmp_path / "d.mat", {"X": X, "D": (D + 1j).reshape(-1, 1)})
    assert "D must be a real numeric matrix, got complex numbers" in error_of(tmp_path / "d.mat")


# ---- .npz ----


def test_npz_object_arrays_are_never_unpickled(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    np.savez(tmp_path / "d.npz", X=np.array([Exploit()], dtype=object), D=np.ones((1, 1)))
    assert "not a readable .npz archive of plain arrays" in error_of(tmp_path / "d.npz")
    assert not marker.exists()


def test_npz_that_is_a_raw_pickle(tmp_path):
    (tmp_path / "d.npz").write_bytes(pickle.dumps({"X": 1}))
    assert "not a readable .npz archive" in error_of(tmp_path / "d.npz")


def test_npz_with_a_corrupt_member(tmp_path):
    X, D = make_regression(n=10)
    np.savez_compressed(tmp_path / "d.npz", X=X, D=D.reshape(-1, 1))
    raw = bytearray((tmp_path / "d.npz").read_bytes())
    raw[60:90] = b"\xff" * 30  # inside the first member's compressed data
    (tmp_path / "d.npz").write_bytes(bytes(raw))
    assert "not a readable .npz archive" in error_of(tmp_path / "d.npz")


# ---- .csv ----


def test_csv_not_utf8(tmp_path):
    (tmp_path / "d.csv").write_bytes("x1,d\n1,2\n3,\xe9\n".encode("latin-1"))
    assert "not UTF-8 text" in error_of(tmp_path / "d.csv")


def test_csv_with_nul_bytes(tmp_path):
    (tmp_path / "d.csv").write_bytes(b"x1,d\n1,2\0\n3,4\n")
    assert "line 2, column 'd': '2\\x00' is not a number" in error_of(tmp_path / "d.csv")


def test_csv_with_a_field_over_the_size_limit(tmp_path):
    (tmp_path / "d.csv").write_text("x1,d\n1," + "9" * 200_000 + "\n")
    assert "not a readable CSV file (field larger than field limit" in error_of(tmp_path / "d.csv")


def test_csv_with_huge_numbers(tmp_path):
    (tmp_path / "d.csv").write_text("x1,d\n1,2\n1e400,3\n4,5\n")  # 1e400 overflows to inf
    assert "X contains NaN or infinite values" in error_of(tmp_path / "d.csv")


def test_csv_with_inf_target(tmp_path):
    (tmp_path / "d.csv").write_text("x1,d\n1,2\n2,-inf\n4,5\n")
    assert "D contains NaN or infinite values" in error_of(tmp_path / "d.csv")


def test_csv_with_thousands_of_columns_and_few_rows(tmp_path):
    header = ",".join(f"x{i}" for i in range(3000)) + ",d"
    rows = [",".join("1" for _ in range(3001)) for _ in range(5)]
    (tmp_path / "d.csv").write_text("\n".join([header, *rows]) + "\n")
    assert "5 samples but 3001 weights" in error_of(tmp_path / "d.csv")


def test_a_wide_valid_csv_runs_end_to_end_quickly(tmp_path):
    from src.cli import main

    X, D = make_regression(n=400, p=300, seed=2)
    path = write_csv(tmp_path / "wide.csv", X, D)
    start = time.perf_counter()
    args = ["lms", "--data", str(path), "--w0", "zeros", "--epochs", "1", "--logdir", str(tmp_path / "runs")]
    assert main([*args, "--no-progress-bar"]) == 0
    assert time.perf_counter() - start < 60
    report = next((tmp_path / "runs").glob("lms/version_0/report.md")).read_text()
    assert "r_crit skipped" in report and "(here: r < 2 / trace(R))" in report


def test_csv_header_only_and_empty(tmp_path):
    (tmp_path / "a.csv").write_text("x1,x2,d\n")
    assert "only a header row" in error_of(tmp_path / "a.csv")
    (tmp_path / "b.csv").write_text("\n\n")
    assert "empty file" in error_of(tmp_path / "b.csv")


def test_a_directory_named_like_a_data_file(tmp_path):
    (tmp_path / "d.csv").mkdir()
    assert "d.csv: is a directory; expected a .mat, .npz or .csv file" in error_of(tmp_path / "d.csv")
