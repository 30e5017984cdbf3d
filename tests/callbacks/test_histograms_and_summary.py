"""Histograms and LayerSummary read back from disk with TensorBoard's EventAccumulator."""

from __future__ import annotations

import csv
import math
from types import SimpleNamespace

import numpy as np
import pytest
import pytorch_lightning as pl
import torch
from builders import classifier
from pytorch_lightning.loggers import TensorBoardLogger
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.tensorboard import SummaryWriter

from src.callbacks import EpochHistory, Histograms, LayerSummary
from src.callbacks.histograms import add_histogram_safely
from src.modules import ImageClassifier

pytestmark = pytest.mark.filterwarnings("ignore:You defined a `validation_step` but have no `val_dataloader`")
PARAMS = {"conv1": 1200, "conv2": 2304, "conv3": 25088, "fc1": 9216, "fc1.bias": 32, "fc2": 320, "fc2.bias": 10}


class ManualClassifier(ImageClassifier):
    """The same classifier under manual optimization."""

    def __init__(self, model=None, **kwargs):
        super().__init__(model, **kwargs)
        self.automatic_optimization = False

    def training_step(self, batch, batch_idx):
        optimizer = self.optimizers()
        loss = self._step(batch, self.train_loss, self.train_acc)
        optimizer.zero_grad()
        self.manual_backward(loss)
        optimizer.step()


def fit(tmp_path, module, epochs=2, callbacks=(), batches=3):
    torch.manual_seed(0)
    images, labels = torch.randn(8 * batches, 3, 32, 32), torch.randint(0, 10, (8 * batches,))
    loader = DataLoader(TensorDataset(images, labels), batch_size=8)
    logger = TensorBoardLogger(str(tmp_path), name="run", version=0, default_hp_metric=False)
    trainer = pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        logger=logger,
        callbacks=list(callbacks),
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
        log_every_n_steps=1,
    )
    trainer.fit(module, train_dataloaders=loader)
    accumulator = EventAccumulator(logger.log_dir, size_guidance={"histograms": 0, "scalars": 0, "tensors": 0})
    accumulator.Reload()
    return trainer, accumulator


@pytest.mark.parametrize("module_class", [ImageClassifier, ManualClassifier], ids=["automatic", "manual"])
def test_weight_and_gradient_histograms(tmp_path, module_class):
    histograms = Histograms(weight_every_n_epochs=1, grad_every_n_steps=2)
    trainer, accumulator = fit(
        tmp_path, classifier(cls=module_class, lr_decay="none"), epochs=2, callbacks=[histograms], batches=3
    )
    assert trainer.global_step == 6
    tags = set(accumulator.Tags()["histograms"])
    assert tags == {f"weights/{k}" for k in PARAMS} | {f"grads/{k}" for k in PARAMS}
    for name, count in PARAMS.items():
        weights = accumulator.Histograms(f"weights/{name}")
        assert [e.step for e in weights] == [0, 1, 2]  # fit start, then every epoch end
        assert all(e.histogram_value.num == count for e in weights)
        grads = accumulator.Histograms(f"grads/{name}")
        assert [e.step for e in grads] == [0, 2, 4]  # every 2nd optimizer step
        for event in grads:
            value = event.histogram_value
            assert value.num == count
            spread = value.sum_squares / value.num - (value.sum / value.num) ** 2
            assert value.max > value.min and spread > 0, name  # real gradients, not zeros


def test_non_finite_values_are_dropped_and_reported_once(tmp_path):
    writer, reported = SummaryWriter(str(tmp_path)), set()
    values = torch.tensor([1.0, 2.0, math.nan, 3.0, math.inf])
    with pytest.warns(UserWarning) as record:
        for step in range(3):
            add_histogram_safely(writer, "weights/w", values, step, reported)
            add_histogram_safely(
                writer, "weights/overflow", torch.full((4,), 1e200, dtype=torch.float64), step, reported
            )
            add_histogram_safely(writer, "weights/huge", torch.tensor([-1e20, 5.0, 1e20]), step, reported)
    writer.close()
    messages = [str(w.message) for w in record]
    assert sum("weights/w at step 0: 2 non-finite values dropped" in m for m in messages) == 1
    assert sum("weights/overflow at step 0: no finite values to draw" in m for m in messages) == 1
    assert len(messages) == 2  # once per tag, not once per write; 1e20 is large but drawable
    accumulator = EventAccumulator(str(tmp_path), size_guidance={"histograms": 0})
    accumulator.Reload()
    events = accumulator.Histograms("weights/w")
    assert [e.step for e in events] == [0, 1, 2]
    value = events[0].histogram_value
    assert (value.num, value.min, value.max, value.sum, value.sum_squares) == (3, 1.0, 3.0, 6.0, 14.0)
    assert sum(value.bucket) == 3 and value.bucket_limit[-1] == 3.0 and value.bucket_limit[0] == 1.0
    assert "weights/overflow" not in accumulator.Tags()["histograms"]
    assert accumulator.Histograms("weights/huge")[0].histogram_value.max == pytest.approx(1e20)


def test_histogram_counts_match_numpy(tmp_path):
    writer = SummaryWriter(str(tmp_path))
    values = torch.randn(10_000, generator=torch.Generator().manual_seed(0))
    add_histogram_safely(writer, "grads/x", values, 0, set())
    add_histogram_safely(writer, "weights/zero", torch.zeros(50), 0, set())
    writer.close()
    accumulator = EventAccumulator(str(tmp_path), size_guidance={"histograms": 0})
    accumulator.Reload()
    value = accumulator.Histograms("grads/x")[0].histogram_value
    edges = list(value.bucket_limit)
    expected, _ = np.histogram(values.numpy(), bins=np.array(edges))
    assert list(value.bucket)[1:] == expected.tolist()  # the first bucket is the empty one left of the minimum
    assert value.sum_squares == pytest.approx(float((values.double() ** 2).sum()))
    zero = accumulator.Histograms("weights/zero")[0].histogram_value
    assert (zero.num, zero.min, zero.max, sum(zero.bucket)) == (50, 0.0, 0.0, 50)


def test_nothing_is_written_off_rank_zero():
    histograms = Histograms(1, 50)
    logger = SimpleNamespace()  # would fail if used
    histograms.setup(SimpleNamespace(is_global_zero=False, logger=logger), None, "fit")
    assert histograms._writer is None
    histograms.on_before_optimizer_step(SimpleNamespace(global_step=0), None, None)  # returns before any tensor
    histograms.on_train_epoch_end(SimpleNamespace(current_epoch=0), None)


def test_histograms_rejects_bad_intervals():
    with pytest.raises(ValueError):
        Histograms(1, grad_every_n_steps=0)


def test_layer_summary_callback_writes_table_csv_and_scalars(tmp_path):
    summary, history = LayerSummary(), EpochHistory(prefixes=("train/",))
    trainer, accumulator = fit(tmp_path, classifier(lr_decay="none"), epochs=2, callbacks=[summary, history])
    assert "conv1  Conv2d  (1,3,32,32)   (1,16,32,32)" in summary.table.console_block("SimpleNN")
    assert summary.table.total_params == 38_170
    assert summary.table.total_macs == 2_807_360
    assert [e.value for e in accumulator.Scalars("model/params")] == [38_170]
    assert [e.value for e in accumulator.Scalars("model/macs")] == [2_807_360]
    text = accumulator.Tensors("model/layer_summary/text_summary")[0].tensor_proto.string_val[0].decode()
    assert "| conv2 | Conv2d | (1,16,15,15) | (1,16,17,17) | (16,16,3,3) | 2,304 | 665,856 |" in text
    with open(tmp_path / "run" / "version_0" / "layer_summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == ["conv1", "conv2", "conv3", "fc1", "fc2", "total"]
    # EpochHistory holds exactly what was logged to TensorBoard, once per epoch
    logged = [e.value for e in accumulator.Scalars("train/loss")]
    assert [row["epoch"] for row in history.history] == [1, 2]
    assert [row["train/loss"] for row in history.history] == pytest.approx(logged, rel=1e-6)
    assert trainer.current_epoch == 2


def test_one_naming_rule_for_histogram_tags():
    from src.callbacks.histograms import histogram_tag, layer_parameters

    assert [histogram_tag(n) for n in ("conv1.weight", "fc1.bias", "block.0.kernel", "weight", "bias")] == [
        "conv1",
        "fc1.bias",
        "block.0.kernel",
        "model",
        "model.bias",
    ]
    assert [tag for tag, _ in layer_parameters(classifier().model)] == list(PARAMS)


@pytest.mark.parametrize("values", [torch.linspace(-1, 1, 6401), torch.tensor([0.0, 1.0, 1.0])])
def test_cpu_bucket_counts_equal_torch_histc(values):
    from src.callbacks.histograms import HISTOGRAM_BINS, bucket_counts

    low, high = float(values.min()), float(values.max())
    expected = torch.histc(values, bins=HISTOGRAM_BINS, min=low, max=high)
    assert torch.equal(bucket_counts(values, low, high), expected)  # bin edges included: linspace hits them


def test_cpu_bucket_counts_equal_torch_histc_near_every_edge():
    """Regression: with the span taken in double, about one draw in eighty put a value near a bin edge in the
    neighbouring bin (an unseeded draw made this test fail now and then). 400 seeded draws of several scales."""
    from src.callbacks.histograms import HISTOGRAM_BINS, bucket_counts

    for seed in range(400):
        values = torch.randn(20_000, generator=torch.Generator().manual_seed(seed)) * 10.0 ** (seed % 5 - 2)
        low, high = float(values.min()), float(values.max())
        expected = torch.histc(values, bins=HISTOGRAM_BINS, min=low, max=high)
        assert torch.equal(bucket_counts(values, low, high), expected), seed
    doubles = torch.randn(20_000, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    low, high = float(doubles.min()), float(doubles.max())
    assert torch.equal(bucket_counts(doubles, low, high), torch.histc(doubles, HISTOGRAM_BINS, low, high))
