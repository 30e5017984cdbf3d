"""EpochMSE in TensorBoard: read back with TensorBoard's own EventAccumulator, one sub-run per rate."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from src.callbacks import (
    MSE_DB_TAG,
    MSE_TAG,
    WEIGHT_ERROR_TAG,
    WIENER_RUN,
    DivergenceDetector,
    EpochMSE,
    decibels,
    rate_run_name,
)
from src.data import LMSDataModule
from src.experiments.trainer_factory import build_trainer
from src.modules import LMSModule
from src.theory import wiener_solution

RATES = [0.005, 0.1, 1.0]


@pytest.fixture(scope="module")
def fitted(embedded, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("runs") / "lms" / "version_0"
    run_dir.mkdir(parents=True)
    wiener = wiener_solution(embedded.X, embedded.D)
    datamodule = LMSDataModule(embedded, torch.float64, shuffle=False, seed=0)
    epoch_mse = EpochMSE(datamodule.X, datamodule.D, w_star=wiener.w, wiener_mse=wiener.mse)
    divergence = DivergenceDetector(datamodule.X, datamodule.D)
    trainer = build_trainer(
        run_dir,
        max_epochs=20,
        callbacks=[divergence, epoch_mse],
        accelerator="cpu",
        devices=1,
        precision="64-true",
        progress_bar_refresh=None,
        enable_checkpointing=False,
    )
    trainer.fit(LMSModule(RATES, [0.53, 0.2, 0.1], dtype="float64"), datamodule=datamodule)
    return run_dir, epoch_mse, divergence, wiener


def scalars(run_dir, subrun, tag):
    accumulator = EventAccumulator(str(run_dir / subrun))
    accumulator.Reload()
    return [(event.step, event.value) for event in accumulator.Scalars(tag)]


def test_each_stable_rate_has_21_points_with_the_epoch_as_step(fitted):
    run_dir, epoch_mse, _, _ = fitted
    for k, lr in enumerate(RATES[:2]):
        points = scalars(run_dir, rate_run_name(lr), MSE_TAG)
        assert [step for step, _ in points] == list(range(21))
        expected = [row[k] for row in epoch_mse.mse_history]
        np.testing.assert_allclose([value for _, value in points], expected, rtol=1e-6)  # TB stores float32


def test_weight_error_is_the_distance_to_the_wiener_solution(fitted):
    run_dir, _, _, wiener = fitted
    points = scalars(run_dir, rate_run_name(0.1), WEIGHT_ERROR_TAG)
    assert len(points) == 21
    initial = np.linalg.norm(np.array([0.53, 0.2, 0.1]) - wiener.w)
    assert points[0][1] == pytest.approx(initial, rel=1e-6)
    assert points[-1][1] < 1e-2 * initial


def test_a_diverged_rate_stops_before_its_non_finite_or_huge_values(fitted):
    run_dir, _, divergence, _ = fitted
    diverged_at = divergence.diverged_epoch[2]
    assert diverged_at == 1
    points = scalars(run_dir, rate_run_name(1.0), MSE_TAG)
    assert [step for step, _ in points] == list(range(diverged_at))  # only the epochs before it diverged
    assert all(math.isfinite(value) for _, value in points)


def test_the_wiener_reference_line_overlays_the_curves(fitted):
    run_dir, _, _, wiener = fitted
    points = scalars(run_dir, WIENER_RUN, MSE_TAG)
    assert [step for step, _ in points] == list(range(21))
    assert all(value == pytest.approx(wiener.mse, rel=1e-6) for _, value in points)


def test_decibels_draw_every_curve_on_a_linear_axis_up_to_the_divergence(fitted):
    """10 log10 MSE (train/mse_db): a diverging rate's curve includes the epoch it diverged, which the linear
    train/mse tag leaves out (a rate that diverged in epoch 1 showed one point)."""
    run_dir, epoch_mse, divergence, wiener = fitted
    for k, lr in enumerate(RATES):
        points = scalars(run_dir, rate_run_name(lr), MSE_DB_TAG)
        last = 20 if divergence.diverged_epoch[k] is None else divergence.diverged_epoch[k]
        assert [step for step, _ in points] == list(range(last + 1))
        expected = [10 * math.log10(row[k]) for row in epoch_mse.mse_history[: last + 1]]
        np.testing.assert_allclose([value for _, value in points], expected, rtol=1e-6)
    diverged = scalars(run_dir, rate_run_name(1.0), MSE_DB_TAG)
    assert diverged[-1][1] > diverged[0][1] + 60  # more than a millionfold rise, readable in dB
    assert scalars(run_dir, WIENER_RUN, MSE_DB_TAG)[0][1] == pytest.approx(10 * math.log10(wiener.mse), rel=1e-6)


def test_decibels_of_what_has_no_logarithm_are_nan():
    assert decibels(1e-3) == pytest.approx(-30.0)
    assert all(math.isnan(decibels(value)) for value in (0.0, -1.0, math.inf, math.nan))
