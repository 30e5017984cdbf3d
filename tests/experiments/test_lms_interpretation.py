"""The LMS report's interpretation follows from the run's numbers: near r_crit (just below, just above), on
noiseless data, and where 2/lambda_max lies below r_crit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import write_csv

from src.cli import main
from src.data import EMBEDDED_LMS_DATA, load_regression
from src.experiments.lms.interpretation import interpretation
from src.theory import analyse_stability

QUIET = ["--no-progress-bar"]


def run_report(tmp_path, *argv: str) -> tuple[dict, str, str]:
    """results.json, report.md and the interpretation section of a run."""
    assert main([*argv, "--logdir", str(tmp_path), *QUIET]) == 0
    (run_dir,) = tmp_path.glob("*/version_0")
    report = (run_dir / "report.md").read_text()
    return json.loads((run_dir / "results.json").read_text()), report, report.split("## Interpretation")[1]


@pytest.fixture(scope="module")
def near_the_edge(tmp_path_factory):
    critical = analyse_stability(load_regression(EMBEDDED_LMS_DATA).X).lr_critical
    rates = {"inside": critical * (1 - 1e-4), "beyond": critical * (1 + 1e-3), "rising": critical * (1 + 5e-3)}
    results, _, text = run_report(
        tmp_path_factory.mktemp("edge"), "lms-sweep", "--lrs", ",".join(repr(r) for r in rates.values())
    )
    return {name: f"r = {rate:g}" for name, rate in rates.items()}, results, text


def sentence(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"- {start}"))


def test_just_inside_the_edge_it_oscillates_and_shrinks(near_the_edge):
    rate, results, text = near_the_edge
    line = sentence(text, rate["inside"])
    run = results["runs"][0]
    factor = np.sqrt(run["mse"][-1] / run["mse"][-3] * run["mse"][-2] / run["mse"][-4])
    assert 0.9 < factor < 1  # shrinking, slowly
    assert "oscillates from epoch to epoch" in line and f"multiplied by about {factor:.3g}" in line
    assert "below r_crit" in line
    assert "too slow" not in line and "improving" not in line and "settles" not in line
    assert np.sign(np.diff(run["mse"][-4:])).tolist() in ([1, -1, 1], [-1, 1, -1])  # what "oscillates" claims


def test_just_beyond_the_edge_it_oscillates_and_grows_but_has_not_diverged_yet(near_the_edge):
    rate, results, text = near_the_edge
    line = sentence(text, rate["beyond"])
    run = results["runs"][1]
    factor = np.sqrt(run["mse"][-1] / run["mse"][-3] * run["mse"][-2] / run["mse"][-4])
    assert factor > 1 and f"multiplied by about {factor:.3g}" in line and "above r_crit" in line
    mismatch = sentence(text, f"Prediction and outcome differ for {rate['beyond']} (diverges predicted")
    assert "did not diverge within 20 epochs" in mismatch
    run = results["runs"][1]
    assert run["mse"][-1] > run["mse"][-3] and run["diverged_epoch"] is None


def test_a_rising_curve_is_called_rising_not_still_improving(near_the_edge):
    rate, results, text = near_the_edge
    line = sentence(text, rate["rising"])
    assert "its MSE is rising at the end" in line and "improving" not in line and "too slow" not in line
    mismatch = sentence(text, f"Prediction and outcome differ for {rate['rising']}")
    assert "grows, but too slowly to pass 1e6 x the initial MSE" in mismatch
    assert np.all(np.diff(results["runs"][2]["mse"][-4:]) > 0)


def test_trace_bound_is_not_called_conservative_when_r_crit_lies_below_it(near_the_edge):
    _, results, text = near_the_edge
    theory = results["theory"]
    assert theory["lr_critical"] < theory["lr_bound_trace"] < theory["lr_bound_lambda_max"]
    assert "lies above r_crit: not a safe bound" in text and "conservative" not in text
    assert "would call every rate up to it stable" in text


def test_noiseless_data_get_no_ratios_to_a_rounding_error(tmp_path):
    rng = np.random.default_rng(4)
    X = np.hstack([np.ones((60, 1)), rng.standard_normal((60, 2))])
    path = write_csv(tmp_path / "exact.csv", X, X @ np.array([1.0, 1.0, -2.0]))
    results, report, text = run_report(tmp_path / "runs", "lms-sweep", "--data", str(path), "--w0", "zeros")
    assert results["wiener"]["mse"] < 1e-25  # rounding error
    assert "x MSE*" not in report and "e+2" not in report  # no 1e29 x MSE*
    assert "**Exact fit.**" in text and "Epochs until the MSE is at rounding level" in text
    rows = [line.split(" | ") for line in report.splitlines() if line.startswith("| 0.")]
    assert rows and all(row[2] == "—" for row in rows)
    assert "misadjustment" not in text and "or better" not in text


def test_where_r_crit_lies_above_two_over_lambda_max(tmp_path):
    x = np.array([1.0, 1.5, 2.0, 2.5])
    X = np.column_stack([np.ones(4), x])
    path = write_csv(tmp_path / "d.csv", X, 0.5 + 2.0 * x + np.array([0.01, -0.02, 0.015, -0.005]))
    results, _, text = run_report(tmp_path / "runs", "lms-sweep", "--data", str(path), "--w0", "zeros")
    theory = results["theory"]
    assert theory["lr_bound_trace"] < theory["lr_bound_lambda_max"] < theory["lr_critical"]
    assert f"Here 2/lambda_max = {theory['lr_bound_lambda_max']:.4g} lies below r_crit" in text
    assert "would call every rate up to it stable" not in text
    assert "lies below r_crit: a conservative bound on this data" in text


def test_a_single_rate_report_is_not_headed_as_a_sweep(tmp_path):
    _, report, _ = run_report(tmp_path, "lms", "--epochs", "5")
    assert "## Learning-rate sweep" not in report and "## Prediction and outcome" in report
    assert "or better" not in report


# ---- constructed curves: each sentence needs its own evidence ----

THEORY = {
    "eigenvalues": [1.0, 1.0],
    "lr_bound_lambda_max": 2.0,
    "lr_bound_trace": 1.0,
    "lr_critical": 0.7,
    "lr_critical_note": None,
}


def results_of(*runs: dict, theory: dict | None = None, shuffle: bool = False) -> dict:
    return {
        "data": {"mse_of_zero_weights": 1.0},
        "wiener": {"mse": 1e-4},
        "theory": theory or THEORY,
        "runs": list(runs),
        "config": {"shuffle": shuffle},
    }


def run_of(lr: float, mse: list, diverged: int | None = None, predicted: bool | None = None) -> dict:
    return {
        "lr": lr,
        "mse": mse,
        "diverged_epoch": diverged,
        "predicted_stable": lr < THEORY["lr_critical"] if predicted is None else predicted,
    }


def said(results: dict) -> str:
    return "\n".join(interpretation(results))


def test_a_slowly_falling_rate_is_too_slow_not_settled():
    curve = [5e-3 * (1 - 4e-4) ** epoch for epoch in range(21)]  # -0.04 % per epoch, at 50 x MSE*
    text = said(results_of(run_of(1e-5, curve)))
    assert "r = 1e-05 is too slow for 20 epochs: its MSE is still falling" in text
    assert "settles" not in text and "misadjustment" not in text


def test_a_rate_that_has_settled_above_mse_star_is_misadjusted():
    curve = [2.5e-4 + 1e-2 * 0.3**epoch for epoch in range(21)]  # converged geometrically to 2.5 x MSE*
    text = said(results_of(run_of(0.5, curve)))
    assert "**Accuracy.** r = 0.5 settles at 2.5 x MSE*" in text and "misadjustment" in text


def test_an_oscillation_far_from_r_crit_is_not_called_the_edge_of_stability():
    curve = [1e-2 * (1 + (-1) ** epoch * 0.5) * 0.8**epoch + 1e-3 for epoch in range(21)]
    text = said(results_of(run_of(0.3, curve)))
    assert "r = 0.3 oscillates from epoch to epoch" in text and "57 % below r_crit = 0.7" in text
    assert "edge" not in text and "near the threshold" not in text


def test_a_predicted_stable_rate_that_diverged_is_reported_as_it_happened():
    text = said(results_of(run_of(0.5, [1.0, 2e6, None], diverged=1)))
    assert "r < r_crit = 0.7, so the epochs should contract in the long run, yet the MSE passed 1e6" in text
    assert "by epoch 1" in text and "took over" not in text


def test_a_rate_far_beyond_r_crit_that_did_not_diverge_is_not_near_the_threshold():
    curve = [1.0, 1.5, 1.2, 1.6, 1.3]
    text = said(results_of(run_of(1.4, curve)))
    assert "did not diverge within 4 epochs although r > r_crit" in text and "near the threshold" not in text


def test_equal_epoch_counts_are_not_called_sooner():
    curve = [1e-2, 1.05e-4, 1.04e-4, 1.04e-4]
    text = said(results_of(run_of(0.1, curve), run_of(0.2, curve)))
    assert "Epochs until the MSE is within 10 % of MSE*: r = 0.1: 1, r = 0.2: 1" in text
    assert "sooner" not in text


def test_a_rate_that_reached_mse_star_and_rises_again_is_reported():
    curve = [1e-2, 1.05e-4, 1.2e-4, 1.5e-4, 2e-4]
    text = said(results_of(run_of(0.2, curve)))
    assert "r = 0.2 was within 10 % of MSE* at epoch 1, but at the end its MSE is rising again" in text
    assert "best compromise" not in text


def test_bounds_equal_to_r_crit_are_called_equal():
    theory = {**THEORY, "lr_bound_lambda_max": 0.7, "lr_bound_trace": 0.7}
    text = said(results_of(run_of(0.1, [1e-2, 1e-4, 1e-4]), theory=theory))
    assert "2/lambda_max = 0.7 equals r_crit" in text and "2/trace(R) = 0.7 equals r_crit" in text


def test_a_curve_that_changes_direction_irregularly_fluctuates_it_is_not_rising():
    curve = [4.1, 9.1e-4, 3.4e-4, 9.3e-4, 3.2e-4, 1.7e-4, 3.0e-4]  # a shuffled r = 0.5: down, down, up
    results = results_of(run_of(0.5, curve), shuffle=True)
    text = said(results)
    assert "r = 0.5 fluctuates from epoch to epoch" in text and "another order" in text
    assert "rising" not in text and "oscillates" not in text


def test_the_report_names_the_target_of_the_first_epoch_line(tmp_path):
    _, report, _ = run_report(tmp_path, "lms", "--epochs", "3")
    assert "- first epoch within 10 % of MSE*: " in report
