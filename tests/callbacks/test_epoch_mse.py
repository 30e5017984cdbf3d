"""EpochMSE in TensorBoard: read back with TensorBoard's own EventAccumulator, one sub-run per rate."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from src.callbacks import MSE_TAG, WEIGHT_ERROR_TAG, WIENER_RUN, DivergenceDetector, EpochMSE, rate_run_name
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
