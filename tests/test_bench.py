"""The benchmarks still run and report every figure (tiny sizes: a smoke test, not a measurement)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import write_reviews_csv

from bench import classify, lms, pipeline, resnet, sentiment


@pytest.mark.slow
def test_lms_benchmark_reports_every_ratio():
    result = lms.run(reps=1, with_scaling=False)
    assert set(result["ratios"]) == {
        "lightning_over_plain_torch",
        "lightning_empty_step_over_plain_torch",
        "lightning_progress_bar_over_plain_torch",
        "plain_torch_over_numpy",
        "sweep_over_single_per_step",
        "sweep_over_single_fit_20_epochs",
    }
    assert all(value > 0 for value in result["us_per_step"].values())


def test_the_progress_bar_benchmark_times_the_bar_a_terminal_shows(tmp_path):
    import contextlib

    from src.callbacks import EpochLines, ProgressBar
    from src.data import EMBEDDED_LMS_DATA, load_regression

    data = load_regression(EMBEDDED_LMS_DATA)
    with contextlib.redirect_stdout(lms.Terminal()):
        fit = lms.lms_fit(data, (0.01,), 1, progress_bar=True, run_dir=tmp_path)
    kinds = {type(callback) for callback in fit.trainer.callbacks}
    assert ProgressBar in kinds and EpochLines not in kinds


def test_the_scaling_exponent_of_known_timings():
    assert lms.fitted_exponent({100: 0.03, 1_000: 0.3, 10_000: 3.0}) == pytest.approx(1.0)
    assert lms.fitted_exponent({10: 1.0, 20: 4.0, 40: 16.0}) == pytest.approx(2.0)


def test_lms_scaling_reports_every_size(monkeypatch):
    monkeypatch.setattr(lms, "SCALING_SIZES", (50, 100, 200))
    result = lms.scaling(reps=1)  # a smoke test of the measurement: timings are the benchmark's business
    assert set(result["seconds_per_epoch"]) == {"50", "100", "200"}
    assert all(value > 0 for value in result["seconds_per_epoch"].values())
    assert isinstance(result["fitted_exponent"], float)


def test_classification_benchmark_reports_every_figure():
    result = classify.run(reps=1, train_images=128)
    assert set(result["ratios"]) == {
        "lightning_over_plain_torch",
        "lightning_without_monitoring_over_plain_torch",
        "pipeline_over_model",
        "epoch_time_with_over_without_monitoring",
    }
    assert set(result["device_matrix"]) >= {"fp32", "fp32_channels_last", "bf16-mixed", "bf16-mixed_channels_last"}
    assert result["fastest_configuration"] in result["device_matrix"]
    assert all(entry["images_per_s"] > 0 for entry in result["device_matrix"].values())
    assert result["macs_per_image"] == 2_807_360


@pytest.mark.slow
def test_pipeline_benchmark_reports_every_figure():
    result = pipeline.run(reps=1, train_images=256)
    assert set(result["ratios"]) == {
        "lightning_over_plain_torch_speed",
        "pipeline_over_model",
        "sweep_loop_over_one_run",
        "sweep_vectorized_over_one_run",
        "sweep_loop_over_one_after_another",
        "sweep_vectorized_over_one_after_another",
    }
    assert all(value > 0 for value in result["ratios"].values())
    assert result["side_by_side_minus_separate"]["loop"]["val/loss"] == 0.0  # bit-identical on a CPU
    assert result["side_by_side_minus_separate"]["vectorized"]["train/lr"] == 0.0
    assert result["macs_per_image"] == 716_328


def test_largest_differences_per_metric():
    a = [[{"epoch": 1, "val/acc": 0.5, "val/loss": 2.0}], [{"epoch": 1, "val/acc": 0.25, "val/loss": None}]]
    b = [[{"epoch": 1, "val/acc": 0.75, "val/loss": 1.5}], [{"epoch": 1, "val/acc": 0.5, "val/loss": 9.0}]]
    assert pipeline.largest_differences(a, b) == {"val/acc": 0.25, "val/loss": 0.5}


@pytest.mark.slow
def test_resnet_benchmark_reports_every_figure():
    result = resnet.run(reps=1, train_images=128, matrix_images=128)
    assert set(result["ratios"]) == {"lightning_over_plain_torch"}
    assert set(result["device_matrix"]) == {"fp32", "fp32_channels_last", "bf16-mixed_channels_last"}
    assert result["auto_configuration"]["matrix_row"] == "fp32_channels_last"  # what `resnet` resolves on a CPU
    assert all(entry["images_per_s"] > 0 for entry in result["device_matrix"].values())
    assert result["macs_per_image"] == 40_551_040 and result["training_tflop_per_45k_epoch"] == 10.95
    extrapolated = result["recipe_extrapolated"]
    assert extrapolated["auto_configuration_minutes"] == pytest.approx(
        64_000 * 128 / result["images_per_s"]["lightning"] / 60, rel=0.01
    )


def test_sentiment_benchmark_reports_every_figure(tmp_path, monkeypatch):
    reviews = write_reviews_csv(tmp_path / "IMDB Dataset.csv", n=300)  # in place of the 12,752 embedded reviews
    bench_config = sentiment.bench_config
    monkeypatch.setattr(sentiment, "bench_config", lambda epochs: replace(bench_config(epochs), data=str(reviews)))
    result = sentiment.run(reps=1, epochs=2, imdb_reviews=400)
    ratios = {"lightning_over_plain_torch", "lightning_without_histograms_over_plain_torch"}
    assert set(result["ratios"]) == {*ratios, "median_of_repetitions"}
    assert set(result["ratios"]["median_of_repetitions"]) == ratios
    best = result["reviews_per_s"]
    assert result["ratios"]["lightning_over_plain_torch"] == best["lightning"] / best["plain_torch"]
    assert all(rate > 0 for rate in result["reviews_per_s"].values())
    assert result["padding"]["bucketed"] < result["padding"]["random"]
    processing = result["text_processing"]
    assert processing["reviews"] == 400 and 200 < processing["mean_words"] < 260
    assert processing["tokenise_vocabulary_encode_s"] >= processing["tokenise_s"] > 0


@pytest.mark.slow
def test_language_model_benchmark_reports_every_figure():
    from bench import lm

    result = lm.run(steps=3, quick=True)
    packing = result["packing"]
    assert packing["ratio_useful_tokens_per_s"] == pytest.approx(
        packing["packed"]["useful_tokens_per_s"] / packing["course_padded"]["useful_tokens_per_s"]
    )
    assert packing["course_padded"]["padding_share"] > 0.9  # Hamlet's lines are short: the padding dominates
    lora = result["lora_vs_full"]
    assert lora["lora"]["trainable"] == 64 * (128 + 384) * 4 < lora["full"]["trainable"]
    assert lora["lora"]["state_bytes"] < lora["full"]["state_bytes"]
    assert set(result["kv_cache"]["tokens_per_s"]) == {"8", "32"}
    assert all(r["with_cache"] > 0 and r["without_cache"] > 0 for r in result["kv_cache"]["tokens_per_s"].values())
