"""LMS stability: eigenvalue bounds, and r_crit against a brute-force spectral-radius scan."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_regression, numpy_lms

from src.theory import analyse_stability


def spectral_radius_brute_force(X: np.ndarray, r: float) -> float:
    """rho(T) with T built by plain matrix products in file order: T = A_N ... A_1, A_k = I - r x_k x_k^T."""
    T = np.eye(X.shape[1])
    for x in X:
        T = (np.eye(X.shape[1]) - r * np.outer(x, x)) @ T
    return float(np.max(np.abs(np.linalg.eigvals(T))))


def test_eigen_bounds(embedded):
    analysis = analyse_stability(embedded.X)
    R = embedded.X.T @ embedded.X / len(embedded.X)
    np.testing.assert_allclose(np.sort(analysis.eigenvalues), np.sort(np.linalg.eigvals(R).real), rtol=1e-12)
    assert analysis.lr_bound_lambda_max == pytest.approx(2 / np.linalg.eigvals(R).real.max(), rel=1e-12)
    assert analysis.lr_bound_trace == pytest.approx(2 / np.trace(R), rel=1e-12)


@pytest.mark.parametrize("dataset", ["embedded", "p1", "p3"], ids=["embedded", "p=1, 30 samples", "p=3, 25 samples"])
def test_critical_rate_matches_a_brute_force_scan(embedded, dataset):
    X = {
        "embedded": embedded.X,
        "p1": make_regression(30, 1, seed=3)[0],
        "p3": make_regression(25, 3, seed=4)[0],
    }[dataset]
    r_crit = analyse_stability(X).lr_critical
    # The brute-force scan: a fine linear grid from 0, first rate with rho >= 1.
    grid = np.linspace(1e-4, 3.0, 3001)
    first_unstable = next(r for r in grid if spectral_radius_brute_force(X, r) >= 1.0)
    assert first_unstable - 1e-3 <= r_crit <= first_unstable
    # And r_crit itself sits on the boundary: just below is stable, just above is not.
    assert spectral_radius_brute_force(X, r_crit * (1 - 1e-9)) < 1.0
    assert spectral_radius_brute_force(X, r_crit * (1 + 1e-9)) >= 1.0


def test_the_prediction_matches_what_lms_actually_does(embedded):
    """Either side of r_crit, the NumPy loop converges or blows up as predicted."""
    analysis = analyse_stability(embedded.X)
    below, above = 0.95 * analysis.lr_critical, 1.05 * analysis.lr_critical
    assert analysis.predicts_stable(below) and not analysis.predicts_stable(above)
    _, stable_curve = numpy_lms(embedded.X, embedded.D, [0.53, 0.2, 0.1], below, 60)
    _, unstable_curve = numpy_lms(embedded.X, embedded.D, [0.53, 0.2, 0.1], above, 60)
    assert stable_curve[-1] < stable_curve[0]
    assert unstable_curve[-1] > 1e3 * unstable_curve[0]


def test_embedded_data_predicts_r1_diverges_although_2_over_lambda_max_says_stable(embedded):
    analysis = analyse_stability(embedded.X)
    assert analysis.lr_bound_lambda_max > 1.0  # the averaged bound would call r = 1 safe...
    assert not analysis.predicts_stable(1.0)  # ...the exact in-order threshold does not
    assert all(analysis.predicts_stable(r) for r in (0.005, 0.01, 0.05, 0.1, 0.5))
