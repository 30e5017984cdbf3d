"""The typed parts of results.json write exactly the keys they read, and read what earlier runs wrote."""

from __future__ import annotations

import pytest

from src.experiments.run_meta import Interrupted, RunMeta
from src.experiments.scalars import Metric
from src.experiments.scores import BestEpoch, TestScore, optional_json

META = {"run_dir": "runs/x/version_0", "started": 1.5, "elapsed_s": 2.0, "resumed_from": None}
STOPPED = {"signal": "SIGTERM", "epoch": 2, "global_step": 7, "checkpoint": "c.ckpt"}


@pytest.mark.parametrize("data", [META, {**META, "interrupted": STOPPED}], ids=["completed", "interrupted"])
def test_run_meta_round_trips(data):
    meta = RunMeta.from_json(data)
    assert meta.to_json() == data and list(meta.to_json()) == list(data)
    assert meta.signal == ("SIGTERM" if "interrupted" in data else "a signal")


def test_run_meta_of_an_interruption():
    meta = RunMeta("r", 0.0, 1.0, None, Interrupted("SIGINT", 1, 3, None))
    assert meta.to_json()["interrupted"] == {"signal": "SIGINT", "epoch": 1, "global_step": 3, "checkpoint": None}


def test_scores_round_trip_and_read_results():
    history = [{"epoch": 1, "val/acc": 0.5}, {"epoch": 2, "val/acc": 0.75}, {"epoch": 3, "val/acc": 0.75}]
    best = BestEpoch.of_history(history)
    assert best == BestEpoch(2, 0.75) and best.to_json() == {"epoch": 2, "acc": 0.75}  # ties: the earliest
    assert BestEpoch.of_history([]) is None and optional_json(None) is None
    test = TestScore.of_metrics({"test/loss": 0.25, "test/acc": 0.875})
    assert test.to_json() == {"loss": 0.25, "acc": 0.875}
    confusion = {"matrix": [[1]]}
    assert TestScore(0.1, 0.9, confusion).to_json() == {"loss": 0.1, "acc": 0.9, "confusion": confusion}
    results = {"best_val": best.to_json(), "test": test.to_json()}
    assert (BestEpoch.of(results), TestScore.of(results)) == (best, test)
    assert BestEpoch.of({"best_val": None}) is None and TestScore.of({}) is None


def test_metric_round_trips():
    metric = Metric.of_series([(3, 0.5), (6, 0.25), (9, 0.375)])
    assert metric == Metric(last=0.375, step=9, min=0.25, max=0.5, count=3)
    assert Metric.from_json(metric.to_json()) == metric
