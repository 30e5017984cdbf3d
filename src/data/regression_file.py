"""Reads LMS regression data (X: N x (p+1) with a leading ones column, D: N x 1) from .mat, .npz or .csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from src.config.paths import REGRESSION_LAYOUT, check_regression_file
from src.errors import UserError

EMBEDDED_LMS_DATA = Path(__file__).parent / "assets" / "lms_dataset.mat"
SUPPORTED_SUFFIXES = (".mat", ".npz", ".csv")
_LAYOUT = REGRESSION_LAYOUT


@dataclass(frozen=True)
class RegressionData:
    """Validated regression samples: X (N, p+1) float64 with X[:, 0] == 1, D (N,) float64."""

    X: np.ndarray
    D: np.ndarray
    path: Path

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        """p, the number of features without the ones column."""
        return self.X.shape[1] - 1


def regression_path(data: str) -> Path:
    """The file an LMS run reads: the embedded dataset for 'embedded', else the path given."""
    return EMBEDDED_LMS_DATA if data == "embedded" else Path(data)


def load_regression(path: str | Path) -> RegressionData:
    """Load and validate a regression file; every problem raises UserError naming the file."""
    path = Path(path)
    check_regression_file(path)
    readers = {".mat": _read_mat, ".npz": _read_npz, ".csv": _read_csv}
    suffix = path.suffix.lower()
    if suffix not in readers:
        raise UserError(f"{path}: unknown extension {path.suffix!r} (expected one of {', '.join(SUPPORTED_SUFFIXES)})")
    X, D = readers[suffix](path)
    return _validated(X, D, path)


def _read_mat(path: Path) -> tuple[object, object]:
    import scipy.io  # imported here: scipy is only needed for .mat files

    try:
        contents = scipy.io.loadmat(path)
    except NotImplementedError:  # scipy's message for MATLAB v7.3 (HDF5) files
        raise UserError(f"{path}: MATLAB v7.3 (HDF5) files are not supported; save with -v7 or -v6") from None
    except Exception as exc:  # scipy raises many types for damaged files; all mean "not a readable .mat"
        raise UserError(f"{path}: not a readable MATLAB file ({_first_line(exc)})") from None
    return _pick_arrays(contents, path)


def _read_npz(path: Path) -> tuple[object, object]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not hasattr(archive, "files"):  # a plain .npy under an .npz name
                raise ValueError("a single array, not an archive")
            contents = {name: archive[name] for name in archive.files if name in ("X", "D")}
            missing = [name for name in ("X", "D") if name not in archive.files]
    except Exception as exc:  # zipfile, zlib, NumPy header and memory errors all mean "not readable"
        # allow_pickle=False turns object arrays into a ValueError: they are refused, never unpickled.
        raise UserError(f"{path}: not a readable .npz archive of plain arrays ({_first_line(exc)})") from None
    if missing:
        raise UserError(f"{path}: missing array {missing[0]!r} (expected {_LAYOUT})")
    return contents["X"], contents["D"]


def _read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text (expected a CSV file)") from None
    except csv.Error as exc:  # NUL bytes, a field over the size limit
        raise UserError(f"{path}: not a readable CSV file ({exc})") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]  # blank lines carry no data
    if not rows:
        raise UserError(f"{path}: empty file (expected a header row, then rows of features followed by the target)")
    header, body = rows[0], rows[1:]
    if len(header) < 2:
        raise UserError(f"{path}: the header has {len(header)} column(s); expected at least one feature and the target")
    if not body:
        raise UserError(f"{path}: only a header row, no samples")
    values = np.empty((len(body), len(header)), dtype=np.float64)
    for i, row in enumerate(body):
        line = i + 2  # 1-based, after the header
        if len(row) != len(header):
            raise UserError(f"{path}: line {line} has {len(row)} columns; the header has {len(header)}")
        for j, cell in enumerate(row):
            try:
                values[i, j] = float(cell)
            except ValueError:
                raise UserError(
                    f"{path}: line {line}, column {header[j].strip()!r}: {cell.strip()!r} is not a number"
                ) from None
    ones = np.ones((values.shape[0], 1))
    return np.hstack([ones, values[:, :-1]]), values[:, -1:]


def _pick_arrays(contents: dict, path: Path) -> tuple[object, object]:
    for name in ("X", "D"):
        if name not in contents:
            raise UserError(f"{path}: missing variable {name!r} (expected {_LAYOUT})")
    return contents["X"], contents["D"]


def _validated(X: object, D: object, path: Path) -> RegressionData:
    X = _real_matrix(X, "X", path)
    D = _real_matrix(D, "D", path)
    n = X.shape[0]
    if X.shape[1] < 2:
        raise UserError(f"{path}: X is {_shape(X)}; expected N x (p+1) with p >= 1 (a ones column and features)")
    if D.shape != (n, 1):
        raise UserError(f"{path}: D is {_shape(D)}; expected {n} x 1 to match X ({_shape(X)})")
    if not np.isfinite(X).all() or not np.isfinite(D).all():
        name = "X" if not np.isfinite(X).all() else "D"
        raise UserError(f"{path}: {name} contains NaN or infinite values")
    if not (X[:, 0] == 1.0).all():
        row = int(np.flatnonzero(X[:, 0] != 1.0)[0])
        raise UserError(f"{path}: the first column of X must be all ones (row {row + 1} holds {X[row, 0]:g})")
    if n < X.shape[1]:
        raise UserError(f"{path}: {n} samples but {X.shape[1]} weights; need at least as many samples as weights")
    return RegressionData(X=X, D=D[:, 0].copy(), path=path)


def _real_matrix(value: object, name: str, path: Path) -> np.ndarray:
    array = np.asarray(value) if isinstance(value, np.ndarray) else None
    if array is None or array.dtype.kind not in "biuf":
        kind = "complex numbers" if array is not None and array.dtype.kind == "c" else _describe(value)
        raise UserError(f"{path}: {name} must be a real numeric matrix, got {kind}")
    if array.ndim != 2:
        raise UserError(f"{path}: {name} must be a 2-D matrix, got shape {tuple(array.shape)}")
    return array.astype(np.float64)


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}"
    return type(value).__name__


def _shape(array: np.ndarray) -> str:
    return " x ".join(str(s) for s in array.shape)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
