"""An experiment of three files (tests/tiny_experiment/) gets results, learning curves, a report and a summary
from the Steps defaults, each with the values TensorBoard holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tiny_experiment import TINY, TinyConfig

from src.experiments.defaults import log_dir_of, status_line
from src.experiments.lifecycle import run_experiment

METRICS = ("train/acc", "train/loss", "train/lr", "val/acc", "val/loss")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("tiny") / "runs"
    run = run_experiment(TINY, TinyConfig(logdir=logdir, progress_bar=False))
    accumulator = EventAccumulator(str(run.run_dir), size_guidance={"scalars": 0, "images": 0})
    accumulator.Reload()
    return run, json.loads((run.run_dir / "results.json").read_text()), accumulator


def test_the_experiment_is_three_small_files():
    package = Path(__file__).parents[1] / "tiny_experiment"
    files = sorted(path.name for path in package.glob("*.py"))
    assert files == ["__init__.py", "config.py", "steps.py"]
    assert sum(len(path.read_text().splitlines()) for path in package.glob("*.py")) < 60


def test_default_results_are_the_logged_scalars(tiny):
    _, results, accumulator = tiny
    assert results["experiment"] == "tiny" and results["status"] == "completed"
    assert results["config"]["epochs"] == 2 and set(results["meta"]) >= {"run_dir", "elapsed_s"}
    assert set(results["metrics"]) == set(METRICS)
    for tag in METRICS:
        events = accumulator.Scalars(tag)
        values = [e.value for e in events]
        assert results["metrics"][tag] == {
            "last": pytest.approx(values[-1]),
            "step": events[-1].step,
            "min": pytest.approx(min(values)),
            "max": pytest.approx(max(values)),
            "count": 2,  # once per epoch
        }
    assert 0.0 < results["metrics"]["val/acc"]["last"] <= 1.0


def test_default_figures_report_and_summary(tiny):
    run, results, accumulator = tiny
    png = run.run_dir / "figures" / "learning_curves.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "figures/learning_curves" in accumulator.Tags()["images"]
    report = (run.run_dir / "report.md").read_text()
    val_acc = results["metrics"]["val/acc"]
    assert report.startswith("# tiny\n\n**Completed.**")
    assert f"| val/acc | {val_acc['last']:.4g} | {val_acc['step']} |" in report
    assert "(figures/learning_curves.png)" in report and "| epochs | 2 |" in report
    (block,) = run.summary
    assert block.startswith("tiny (last values): ") and f"val/acc {val_acc['last']:.4g}" in block


def test_the_defaults_need_the_fit():
    with pytest.raises(TypeError, match="returned a dict: return the Fit, or override results"):
        log_dir_of({})


def test_an_interrupted_run_says_how_to_go_on():
    meta = {"run_dir": "runs/tiny/version_0", "started": 0.0, "elapsed_s": 1.0, "resumed_from": None}
    stopped = {"signal": "SIGINT", "epoch": 1, "global_step": 3, "checkpoint": None}
    results = {"experiment": "tiny", "status": "interrupted", "meta": {**meta, "interrupted": stopped}}
    assert status_line(results) == "**Interrupted** by SIGINT: partial results below. Run it again to finish."
    stopped["checkpoint"] = "runs/tiny/version_0/checkpoints/interrupted.ckpt"
    assert "Resume with `" in status_line(results) and "--resume runs/tiny/version_0" in status_line(results)
