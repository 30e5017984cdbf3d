"""Regression files: .mat/.npz/.csv read back exactly, any p >= 1, and every bad input named in one line."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io
from helpers import make_regression, write_csv, write_mat, write_npz

from src.data import EMBEDDED_LMS_DATA, load_regression
from src.errors import UserError


@pytest.mark.parametrize("writer", [write_mat, write_npz, write_csv], ids=["mat", "npz", "csv"])
@pytest.mark.parametrize("p", [1, 2, 5])
def test_every_format_reads_back_the_arrays_it_was_written_from(tmp_path, writer, p):
    X, D = make_regression(n=30, p=p)
    suffix = {write_mat: ".mat", write_npz: ".npz", write_csv: ".csv"}[writer]
    data = load_regression(writer(tmp_path / f"data{suffix}", X, D))
    np.testing.assert_array_equal(data.X, X)  # repr() in the CSV round-trips float64 exactly
    np.testing.assert_array_equal(data.D, D)
    assert (data.n_samples, data.n_features) == (30, p)


def test_embedded_dataset_has_the_course_layout():
    raw = scipy.io.loadmat(EMBEDDED_LMS_DATA)
    assert raw["X"].shape == (100, 3) and raw["D"].shape == (100, 1)
    data = load_regression(EMBEDDED_LMS_DATA)
    assert (data.X[:, 0] == 1).all()
    # d = 1 + x1 - 2 x2 + N(0, 0.01^2): the residual of the true model is noise-sized.
    residual = data.D - data.X @ np.array([1.0, 1.0, -2.0])
    assert 0.005 < residual.std() < 0.02


def test_regenerating_the_embedded_dataset_reproduces_the_committed_file(tmp_path):
    from scripts.make_lms_dataset import main as make_dataset

    assert make_dataset(["--out", str(tmp_path / "again.mat")]) == 0
    again, committed = scipy.io.loadmat(tmp_path / "again.mat"), scipy.io.loadmat(EMBEDDED_LMS_DATA)
    np.testing.assert_array_equal(again["X"], committed["X"])
    np.testing.assert_array_equal(again["D"], committed["D"])


def _error(path) -> str:
    with pytest.raises(UserError) as info:
        load_regression(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path):
    message = _error(tmp_path / "nope.mat")
    assert "nope.mat" in message and "no such file" in message


def test_unknown_extension(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("1,2\n")
    assert "unknown extension '.txt'" in _error(path)


@pytest.mark.parametrize("missing", ["X", "D"])
@pytest.mark.parametrize("suffix", [".mat", ".npz"])
def test_missing_variable(tmp_path, missing, suffix):
    X, D = make_regression()
    arrays = {"X": X, "D": D.reshape(-1, 1)}
    del arrays[missing]
    path = tmp_path / f"data{suffix}"
    scipy.io.savemat(path, arrays) if suffix == ".mat" else np.savez(path, **arrays)
    assert f"missing {'variable' if suffix == '.mat' else 'array'} '{missing}'" in _error(path)


@pytest.mark.parametrize(
    ("X_shape", "D_shape", "expected"),
    [
        ((20, 3), (19, 1), "D is 19 x 1; expected 20 x 1"),
        ((20, 3), (1, 20), "D is 1 x 20; expected 20 x 1"),
        ((20, 1), (20, 1), "X is 20 x 1; expected N x (p+1) with p >= 1"),
        ((20, 3), (20, 2), "D is 20 x 2"),
    ],
)
def test_wrong_shapes(tmp_path, X_shape, D_shape, expected):
    X = np.ones(X_shape)
    X[:, 1:] = np.random.default_rng(0).standard_normal((X_shape[0], X_shape[1] - 1))
    message = _error(write_npz_raw(tmp_path / "data.npz", X, np.zeros(D_shape)))
    assert expected in message


def write_npz_raw(path, X, D):
    np.savez(path, X=X, D=D)
    return path


def test_three_dimensional_array_is_refused(tmp_path):
    assert "X must be a 2-D matrix" in _error(write_npz_raw(tmp_path / "d.npz", np.ones((4, 3, 2)), np.ones((4, 1))))


def test_first_column_must_be_ones(tmp_path):
    X, D = make_regression(n=10)
    X[3, 0] = 0.5
    assert "first column of X must be all ones (row 4 holds 0.5)" in _error(write_mat(tmp_path / "d.mat", X, D))


def test_fewer_samples_than_weights(tmp_path):
    X, D = make_regression(n=3, p=3)
    assert "3 samples but 4 weights" in _error(write_npz(tmp_path / "d.npz", X, D))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["X", "D"])
def test_non_finite_values(tmp_path, bad, where):
    X, D = make_regression(n=10)
    (X if where == "X" else D)[5 if where == "D" else (5, 1)] = bad
    assert f"{where} contains NaN or infinite values" in _error(write_npz(tmp_path / "d.npz", X, D))


def test_nan_in_csv_is_refused_not_parsed_as_data(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x1,d\n1,2\nnan,3\n4,5\n")
    assert "X contains NaN" in _error(path)


def test_non_numeric_csv_names_line_and_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x1,x2,d\n1,2,3\n4,abc,6\n")
    assert "line 3, column 'x2': 'abc' is not a number" in _error(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty file"),
        ("x1,d\n", "only a header row"),
        ("d\n1\n2\n", "the header has 1 column"),
        ("x1,d\n1,2\n3\n", "line 3 has 1 columns; the header has 2"),
    ],
)
def test_malformed_csv(tmp_path, text, expected):
    path = tmp_path / "d.csv"
    path.write_text(text)
    assert expected in _error(path)


def test_complex_mat_is_refused(tmp_path):
    X, D = make_regression(n=10)
    path = tmp_path / "d.mat"
    scipy.io.savemat(path, {"X": X + 1j, "D": D.reshape(-1, 1)})
    assert "X must be a real numeric matrix, got complex numbers" in _error(path)


def test_damaged_mat_is_refused(tmp_path):
    path = tmp_path / "d.mat"
    path.write_bytes(b"MATLAB 5.0 MAT-file" + b"\x00" * 10)
    assert "not a readable MATLAB file" in _error(path)


def test_npz_with_pickled_objects_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.array([object()], dtype=object), D=np.ones((1, 1)))
    assert "not a readable .npz archive of plain arrays" in _error(path)
