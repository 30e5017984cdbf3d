"""LMSModule: the update is the LMS rule, matches a NumPy loop to 1e-10, and rates in a sweep are independent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import numpy_lms

from src.callbacks import DivergenceDetector, EpochMSE
from src.data import LMSDataModule, RegressionData
from src.modules import LMSModule

W0 = [0.53, 0.20, 0.10]
pytestmark = pytest.mark.filterwarnings("ignore:EpochMSE. no TensorBoardLogger")  # these fits run without one


def fit(cpu_trainer, data, lrs, epochs, w0=W0, shuffle=False, seed=0, precision="64-true"):
    dtype = "float64" if precision.startswith("64") else "float32"
    datamodule = LMSDataModule(data, dtype=getattr(torch, dtype), shuffle=shuffle, seed=seed)
    module = LMSModule(lrs, w0, dtype=dtype)
    epoch_mse = EpochMSE(datamodule.X, datamodule.D)
    divergence = DivergenceDetector(datamodule.X, datamodule.D)
    trainer = cpu_trainer(max_epochs=epochs, callbacks=[divergence, epoch_mse], precision=precision)
    trainer.fit(module, datamodule=datamodule)
    return module, epoch_mse, divergence, trainer


def test_one_step_is_the_lms_rule_on_a_hand_made_sample(cpu_trainer):
    x, d, w0, r = np.array([1.0, 2.0, -1.0]), 3.0, np.array([0.5, -1.0, 2.0]), 0.1
    data = RegressionData(X=x[None, :], D=np.array([d]), path=Path("hand-made"))
    module, *_ = fit(cpu_trainer, data, [r], epochs=1, w0=w0)
    e = d - w0 @ x  # 3 - (0.5 - 2 - 2) = 6.5
    expected = w0 + r * e * x  # [1.15, 0.3, 1.35]
    np.testing.assert_allclose(module.weight_matrix()[0].numpy(), expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(expected, [1.15, 0.3, 1.35], atol=1e-15)  # the arithmetic done by hand


def test_twenty_epochs_match_a_numpy_loop(cpu_trainer, embedded):
    module, epoch_mse, _, trainer = fit(cpu_trainer, embedded, [0.005], epochs=20)
    w_ref, mse_ref = numpy_lms(embedded.X, embedded.D, W0, 0.005, 20)
    np.testing.assert_allclose(module.weight_matrix()[0].numpy(), w_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose([row[0] for row in epoch_mse.mse_history], mse_ref, rtol=1e-10, atol=1e-12)
    assert len(epoch_mse.mse_history) == 21
    assert trainer.global_step == 20 * 100  # one optimizer step per sample, no sample skipped or repeated


def test_shuffled_epochs_match_a_numpy_loop_with_the_same_orders(cpu_trainer, embedded):
    module, epoch_mse, _, trainer = fit(cpu_trainer, embedded, [0.05], epochs=5, shuffle=True, seed=7)
    stream = trainer.datamodule.train_dataloader()
    orders = [stream.order(epoch) for epoch in range(5)]
    assert orders[0] != orders[1] and sorted(orders[0]) == list(range(100))
    w_ref, mse_ref = numpy_lms(embedded.X, embedded.D, W0, 0.05, 5, orders=orders)
    np.testing.assert_allclose(module.weight_matrix()[0].numpy(), w_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose([row[0] for row in epoch_mse.mse_history], mse_ref, rtol=1e-10)


def test_sweep_equals_separate_single_rate_runs(cpu_trainer, embedded):
    rates = [0.005, 0.01, 0.05, 0.1, 0.5]
    sweep, sweep_mse, *_ = fit(cpu_trainer, embedded, rates, epochs=5)  # the study checks 20 against NumPy
    for k, r in enumerate(rates):
        single, single_mse, *_ = fit(cpu_trainer, embedded, [r], epochs=5)
        np.testing.assert_allclose(sweep.weight_matrix()[k].numpy(), single.weight_matrix()[0].numpy(), atol=1e-13)
        np.testing.assert_allclose(
            [row[k] for row in sweep_mse.mse_history], [row[0] for row in single_mse.mse_history], rtol=1e-12
        )


def test_float32_precision_runs_in_float32(cpu_trainer, embedded):
    module, *_ = fit(cpu_trainer, embedded, [0.05], epochs=3, precision="32-true")
    assert module.weight_matrix().dtype == torch.float32
    w_ref, _ = numpy_lms(embedded.X, embedded.D, W0, 0.05, 3)
    np.testing.assert_allclose(module.weight_matrix()[0].numpy(), w_ref, rtol=1e-4)


def test_initial_weights_are_exact_in_float64():
    module = LMSModule([0.1], W0, dtype="float64")
    assert module.weight_matrix()[0].tolist() == W0  # not the float32 detour 0.529999971...


def test_a_frozen_rate_keeps_its_weights_while_the_others_learn(cpu_trainer, embedded):
    datamodule = LMSDataModule(embedded, torch.float64, shuffle=False, seed=0)
    module = LMSModule([0.01, 0.02], W0, dtype="float64")
    module.freeze_rate(0)
    cpu_trainer(max_epochs=1, precision="64-true").fit(module, datamodule=datamodule)
    assert module.weight_matrix()[0].tolist() == W0
    w_ref, _ = numpy_lms(embedded.X, embedded.D, W0, 0.02, 1)
    np.testing.assert_allclose(module.weight_matrix()[1].numpy(), w_ref, atol=1e-12)


def test_rejects_unknown_dtype():
    with pytest.raises(ValueError, match="dtype"):
        LMSModule([0.1], W0, dtype="float16")
