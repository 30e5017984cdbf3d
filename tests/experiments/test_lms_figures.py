"""The LMS figures say what they show: where the MSE axis is cut, and which rate the 3D plot's LMS plane is."""

from __future__ import annotations

import json

import pytest

from src.cli import main
from src.data import EMBEDDED_LMS_DATA, load_regression
from src.experiments.lms.figures import CEILING, mse_curves_figure, planes_figure


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("figures")
    assert main(["lms-sweep", "--epochs", "5", "--logdir", str(logdir), "--no-progress-bar"]) == 0
    return json.loads((logdir / "lms-sweep" / "version_0" / "results.json").read_text())


def test_the_cut_of_the_mse_axis_is_drawn_and_labelled(sweep):
    ax = mse_curves_figure(sweep).axes[0]
    ceiling = CEILING * max(run["mse"][0] for run in sweep["runs"])
    texts = [text.get_text() for text in ax.texts]
    assert any(f"axis cut at {CEILING:g} x the initial MSE" in text for text in texts)
    assert any(list(line.get_ydata()) == [ceiling, ceiling] for line in ax.lines)  # the cut line
    diverged = next(run for run in sweep["runs"] if run["diverged_epoch"] is not None)
    real = diverged["mse"][diverged["diverged_epoch"]]
    assert real > ceiling and f"MSE = {real:.2g}" in texts  # its real value, written at the cut


def test_no_cut_is_marked_when_nothing_is_cut(sweep):
    stable = {**sweep, "runs": [run for run in sweep["runs"] if run["diverged_epoch"] is None]}
    assert not any("axis cut" in text.get_text() for text in mse_curves_figure(stable).axes[0].texts)


def test_the_3d_plot_shows_the_best_stable_rate_and_says_so(sweep):
    stable = [run for run in sweep["runs"] if run["diverged_epoch"] is None]
    best = min(stable, key=lambda run: run["mse"][-1])
    figure, note = planes_figure(sweep, load_regression(EMBEDDED_LMS_DATA))
    title = figure.axes[0].get_title()
    assert f"best stable rate, r = {best['lr']:g}" in title
    assert f"r = {best['lr']:g}" in note and "lowest final MSE" in note
