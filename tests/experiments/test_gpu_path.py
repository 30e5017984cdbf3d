"""The GPU path: what `--accelerator auto` picks there, and runs that need CUDA (skipped without it)."""

from __future__ import annotations

import json

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch.utils.tensorboard import SummaryWriter

from src.callbacks.histograms import add_histogram_safely
from src.cli import main
from src.config import Machine
from src.data import ImageSplits
from src.experiments.classify.config import ClassifyConfig
from src.experiments.classify.fit import build_classification_fit
from src.experiments.trainer_factory import cudnn_benchmark

CPU, GPU, OLD_GPU = Machine(), Machine(cuda=True, bf16=True), Machine(cuda=True, bf16=False)


def test_auto_precision_is_exact_float32_on_cpu():
    assert ClassifyConfig().resolved(CPU).precision == "32-true"


def test_auto_precision_is_bf16_mixed_on_a_gpu_that_has_it():
    assert ClassifyConfig().resolved(GPU).precision == "bf16-mixed"
    assert ClassifyConfig(accelerator="cpu").resolved(GPU).precision == "32-true"
    assert ClassifyConfig(precision="16-mixed").resolved(GPU).precision == "16-mixed"
    assert ClassifyConfig(precision="32").resolved(GPU).precision == "32-true"
    assert ClassifyConfig().resolved(OLD_GPU).precision == "32-true"


def test_the_learning_rate_actually_used_is_resolved():
    assert ClassifyConfig().resolved(CPU).lr == 0.002
    assert ClassifyConfig(optimizer="sgd").resolved(CPU).lr == 0.02
    assert ClassifyConfig(optimizer="sgd", lr=0.5).resolved(CPU).lr == 0.5


def test_deterministic_turns_cudnn_benchmarking_off():
    """Regression: --deterministic on a GPU used to pass benchmark=True too, and cuDNN then ignores determinism."""
    assert cudnn_benchmark(ClassifyConfig(), GPU) is True
    assert cudnn_benchmark(ClassifyConfig(deterministic=True), GPU) is False
    assert cudnn_benchmark(ClassifyConfig(), CPU) is False


@pytest.mark.slow
def test_compiled_forward_trains_like_eager(tmp_path):
    base = ["classify", "--epochs", "2", "--no-progress-bar", "--accelerator", "cpu"]
    assert main([*base, "--logdir", str(tmp_path / "eager")]) == 0
    assert main([*base, "--compile", "--logdir", str(tmp_path / "compiled")]) == 0
    eager, compiled = (
        json.loads(next((tmp_path / d).glob("*/*/results.json")).read_text()) for d in ("eager", "compiled")
    )
    assert compiled["layers"] == eager["layers"]  # the summary still sees the plain module
    assert abs(compiled["best_val"]["acc"] - eager["best_val"]["acc"]) < 0.05


@pytest.mark.gpu
def test_classify_on_the_gpu_with_data_on_the_device(tmp_path):
    assert main(["classify", "--epochs", "3", "--logdir", str(tmp_path), "--no-progress-bar"]) == 0
    results = json.loads(next(tmp_path.glob("*/*/results.json")).read_text())
    assert results["config"]["device"].startswith("cuda")
    assert results["config"]["precision"] == ("bf16-mixed" if torch.cuda.is_bf16_supported() else "32-true")
    assert results["best_val"]["acc"] >= 0.85


@pytest.mark.gpu
def test_histograms_of_cuda_tensors(tmp_path):
    writer = SummaryWriter(str(tmp_path))
    values = torch.randn(1000, device="cuda")
    add_histogram_safely(writer, "grads/x", values, 0, set())
    writer.close()
    accumulator = EventAccumulator(str(tmp_path), size_guidance={"histograms": 0})
    accumulator.Reload()
    assert accumulator.Histograms("grads/x")[0].histogram_value.num == 1000


@pytest.mark.gpu
def test_lms_runs_on_the_gpu_in_float64(tmp_path):
    assert main(["lms", "--epochs", "2", "--accelerator", "gpu", "--logdir", str(tmp_path), "--no-progress-bar"]) == 0
    results = json.loads(next(tmp_path.glob("*/*/results.json")).read_text())
    assert results["config"]["device"].startswith("cuda")


def test_the_classification_fit_gives_the_trainer_that_choice(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.backends.cudnn, "benchmark", torch.backends.cudnn.benchmark)  # restored afterwards
    images = torch.zeros(4, 3, 32, 32, dtype=torch.uint8), torch.zeros(4, dtype=torch.int64)
    splits = ImageSplits("tiny", "test", tuple("0123456789"), images, images, images)
    try:
        for deterministic, expected in ((False, True), (True, False)):
            cfg = ClassifyConfig(deterministic=deterministic).resolved(CPU)
            build_classification_fit(cfg, splits, tmp_path / "runs" / "x" / "version_0", GPU)  # as on a GPU
            assert torch.backends.cudnn.benchmark is expected  # Lightning sets it from Trainer(benchmark=...)
    finally:
        torch.use_deterministic_algorithms(False)


def test_resnet_picks_its_fastest_configuration_for_the_machine():
    from src.experiments.resnet.config import ResNetConfig

    on_gpu, on_cpu = ResNetConfig().resolved(GPU), ResNetConfig().resolved(CPU)
    assert (on_gpu.precision, on_gpu.compile, on_gpu.channels_last) == ("bf16-mixed", "on", True)
    assert (on_cpu.precision, on_cpu.compile, on_cpu.channels_last) == ("32-true", "off", True)  # compile: slower here
    assert ResNetConfig(accelerator="cpu").resolved(GPU).compile == "off"
    assert ResNetConfig(compile="off").resolved(GPU).compile == "off"


@pytest.mark.gpu
def test_resnet_on_the_gpu_compiled_in_bf16_then_predict(tmp_path):
    argv = ["resnet", "--epochs", "6", "--logdir", str(tmp_path), "--no-progress-bar"]
    assert main(argv) == 0
    run_dir = next(tmp_path.glob("resnet/*"))
    results = json.loads((run_dir / "results.json").read_text())
    assert results["config"]["device"].startswith("cuda") and results["config"]["compile"] == "on"
    assert results["best_val"]["acc"] >= 0.8
    assert main(["predict", str(run_dir)]) == 0
    predicted = json.loads((run_dir / "predictions.json").read_text())
    assert predicted["accuracy"] == pytest.approx(results["test"]["acc"], abs=0.02)  # fp32 against bf16 outputs


@pytest.mark.gpu
def test_the_packed_lstm_runs_on_cudnn():
    from torch.profiler import ProfilerActivity, profile

    from src.modules.sentiment_rnn import SentimentRNN

    model = SentimentRNN(100, 16, 32, bidirectional=True).cuda()
    ids, lengths = torch.randint(1, 100, (8, 20), device="cuda"), torch.tensor([20, 3, 7, 1, 20, 9, 11, 2])
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        model(ids, lengths).sum().backward()
    assert any(event.key == "aten::_cudnn_rnn" for event in prof.key_averages())


@pytest.mark.gpu
def test_sentiment_on_the_gpu_then_predict(tmp_path, capsys):
    argv = ["sentiment", "--presets", "course", "--epochs", "2", "--logdir", str(tmp_path), "--no-progress-bar"]
    assert main(argv) == 0
    run_dir = next(tmp_path.glob("sentiment/*"))
    results = json.loads((run_dir / "results.json").read_text())
    assert results["config"]["device"].startswith("cuda") and results["presets"]["course"]["test"]["acc"] > 0.6
    capsys.readouterr()
    assert main(["predict", str(run_dir), "--text", "A gem of a film."]) == 0
    assert capsys.readouterr().out.startswith("1 text, classified by course preset")
