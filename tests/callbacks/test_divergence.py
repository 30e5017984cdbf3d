"""DivergenceDetector: flags exactly the rates (and epochs) a NumPy loop says diverge, and freezes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import numpy_lms

from src.callbacks import DivergenceDetector
from src.data import LMSDataModule, RegressionData
from src.modules import LMSModule

W0 = [0.53, 0.20, 0.10]


def reference_divergence_epoch(X, D, lr, epochs, ratio=1e6):
    """First epoch whose end state has non-finite weights or MSE > ratio x initial MSE (NumPy loop)."""
    initial = np.mean((D - X @ np.array(W0)) ** 2)
    for epoch in range(1, epochs + 1):
        with np.errstate(all="ignore"):
            w, mses = numpy_lms(X, D, W0, lr, epoch)
        if not np.isfinite(w).all() or not mses[-1] <= ratio * initial:
            return epoch, w
    return None, w


def run(cpu_trainer, data, lrs, epochs):
    datamodule = LMSDataModule(data, torch.float64, shuffle=False, seed=0)
    module = LMSModule(lrs, W0, dtype="float64")
    detector = DivergenceDetector(datamodule.X, datamodule.D)
    trainer = cpu_trainer(max_epochs=epochs, callbacks=[detector], precision="64-true")
    trainer.fit(module, datamodule=datamodule)
    return module, detector, trainer


def test_r1_diverges_on_the_embedded_data_and_the_others_do_not(cpu_trainer, embedded):
    rates = [0.005, 0.01, 0.05, 0.1, 0.5, 1.0]
    module, detector, _ = run(cpu_trainer, embedded, rates, epochs=20)
    expected_epoch, w_at_divergence = reference_divergence_epoch(embedded.X, embedded.D, 1.0, 20)
    assert expected_epoch is not None
    assert detector.diverged_epoch == [None] * 5 + [expected_epoch]
    assert module.frozen.tolist() == [False] * 5 + [True]
    # Frozen at that point: the weights are those at the end of the diverging epoch, not 20 epochs later.
    np.testing.assert_allclose(module.weight_matrix()[5].numpy(), w_at_divergence, rtol=1e-6)


def test_non_finite_weights_count_as_diverged(cpu_trainer, embedded):
    module, detector, _ = run(cpu_trainer, embedded, [0.01, 1e5], epochs=3)
    assert not torch.isfinite(module.weight_matrix()[1]).all()  # r = 1e5 overflows within the first epoch
    assert detector.diverged_epoch == [None, 1]


def test_the_fit_stops_once_every_rate_has_diverged(cpu_trainer, embedded):
    _, detector, trainer = run(cpu_trainer, embedded, [1.0, 2.0], epochs=20)
    assert detector.diverged_epoch == [1, 1]
    assert trainer.current_epoch == 1  # stopped after the first epoch instead of running 20


def test_an_initial_fit_at_rounding_level_does_not_make_rounding_look_like_divergence(cpu_trainer):
    X = np.hstack([np.ones((20, 1)), np.random.default_rng(0).standard_normal((20, 2))])
    data = RegressionData(X=X, D=X @ np.array(W0), path=Path("noise-free"))  # W0 is optimal: MSE ~ 1e-33
    assert np.mean((data.D - X @ np.array(W0)) ** 2) < 1e-30
    _, detector, _ = run(cpu_trainer, data, [0.05], epochs=3)
    assert detector.reference_mse[0] == pytest.approx(np.mean(data.D**2))
    assert detector.diverged_epoch == [None]


def test_an_ordinary_initial_mse_is_the_reference(cpu_trainer, embedded):
    _, detector, _ = run(cpu_trainer, embedded, [0.05], epochs=1)
    assert detector.reference_mse[0] == pytest.approx(np.mean((embedded.D - embedded.X @ np.array(W0)) ** 2))


def test_ratio_must_exceed_one():
    with pytest.raises(ValueError, match="ratio"):
        DivergenceDetector(torch.zeros(1, 2), torch.zeros(1), ratio=1.0)
