"""The LMS report's interpretation follows from the run's numbers: near r_crit (just below, just above), on
noiseless data, and where 2/lambda_max lies below r_crit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import write_csv

from src.cli import main
from src.data import EMBEDDED_LMS_DATA, load_regression
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
    assert "oscillates from epoch to epoch" in line and "while shrinking slowly" in line
    assert "too slow" not in line and "improving" not in line and "settles" not in line
    run = results["runs"][0]
    assert run["mse"][-1] < run["mse"][-3] and run["mse"][-2] < run["mse"][-4]  # what "shrinking" claims
    assert np.sign(np.diff(run["mse"][-4:])).tolist() in ([1, -1, 1], [-1, 1, -1])  # what "oscillates" claims


def test_just_beyond_the_edge_it_oscillates_and_grows_but_has_not_diverged_yet(near_the_edge):
    rate, results, text = near_the_edge
    assert "while growing: it is just beyond the edge of stability" in sentence(text, rate["beyond"])
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
    assert "is above r_crit: not a safe bound" in text and "conservative" not in text
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
    assert "Here r_crit lies above 2/lambda_max" in text and "would call every rate up to it stable" not in text
    assert "is below r_crit: a conservative bound on this data" in text


def test_a_single_rate_report_is_not_headed_as_a_sweep(tmp_path):
    _, report, _ = run_report(tmp_path, "lms", "--epochs", "5")
    assert "## Learning-rate sweep" not in report and "## Prediction and outcome" in report
    assert "or better" not in report
