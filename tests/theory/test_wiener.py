"""The Wiener solution against numpy.linalg.lstsq, and the rank-deficient error."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_regression

from src.errors import UserError
from src.theory import dataset_mse, wiener_solution


@pytest.mark.parametrize("p", [1, 2, 7])
def test_wiener_equals_lstsq(p):
    X, D = make_regression(n=60, p=p, seed=p)
    solution = wiener_solution(X, D)
    expected, *_ = np.linalg.lstsq(X, D, rcond=None)
    np.testing.assert_allclose(solution.w, expected, rtol=0, atol=1e-12)
    assert solution.mse == pytest.approx(np.mean((D - X @ expected) ** 2), rel=1e-12)


def test_embedded_wiener_solution(embedded):
    solution = wiener_solution(embedded.X, embedded.D)
    expected, *_ = np.linalg.lstsq(embedded.X, embedded.D, rcond=None)
    np.testing.assert_allclose(solution.w, expected, atol=1e-12)
    # No weight vector does better: nudging w* in any direction raises the MSE.
    for direction in np.eye(3):
        assert dataset_mse(embedded.X, embedded.D, solution.w + 1e-3 * direction) > solution.mse


def test_rank_deficient_X_is_a_user_error():
    X, D = make_regression(n=20, p=3)
    X[:, 3] = 2 * X[:, 1]  # a repeated feature
    with pytest.raises(UserError, match="X has rank 3 but 4 columns"):
        wiener_solution(X, D, source="data.mat")
