"""The full study's time estimate: steps counted from the configs (checked against arithmetic done here), the
measured seconds per step, and the printed lines."""

from __future__ import annotations

import math

import pytest
import torch

from src.experiments.cifar.config import CifarConfig
from src.experiments.classify.config import ClassifyConfig
from src.experiments.lm.config import LMConfig
from src.experiments.lms.config import LMSSweepConfig
from src.experiments.pipeline.config import PipelineConfig
from src.experiments.resnet.config import ResNetConfig
from src.experiments.sentiment.config import SentimentConfig
from src.experiments.simplenn.config import SimpleNNConfig
from src.experiments.study import estimate, timing
from src.experiments.study.estimate import PartEstimate, estimate_parts, format_duration, format_estimates

CPU = torch.device("cpu")
CIFAR_TRAIN = 45_000  # 50,000 CIFAR-10 training images less 5,000 for validation
IMDB_TRAIN = 22_500  # aclImdb's 25,000 training reviews less 10 % for validation


@pytest.fixture
def fake_timing(monkeypatch):
    """Every workload 'measured' at a rate of its own, without building or running anything."""
    timed = []

    def seconds(workload, device, warmup_steps, timed_steps):
        timed.append(workload)
        return 0.001 * workload.batch

    monkeypatch.setattr(estimate, "time_workload", seconds)
    return timed


def one(experiment, cfg) -> PartEstimate:
    (part,) = estimate_parts([(experiment, cfg)], CPU)
    assert part.experiment == experiment
    assert part.seconds == pytest.approx(part.steps * part.seconds_per_step)
    return part


def test_resnet_counts_its_iterations_or_its_epochs(fake_timing):
    assert one("resnet", ResNetConfig(data_dir="cifar10", iterations=10)).steps == 10
    paper = one("resnet", ResNetConfig(data_dir="cifar10"))
    assert paper.steps == 64_000 and paper.label == "ResNet-20, 64,000 iterations of batch 128"
    assert paper.seconds == pytest.approx(64_000 * 0.128)
    epochs = one("resnet", ResNetConfig(data_dir="cifar10", epochs=2, batch_size=1000))
    assert epochs.steps == 2 * math.ceil(CIFAR_TRAIN / 1000) == 90


def test_image_labs_count_fits_epochs_and_batches(fake_timing):
    assert one("classify", ClassifyConfig(data_dir="cifar10", epochs=1)).steps == math.ceil(CIFAR_TRAIN / 64)
    simplenn = one("simplenn", SimpleNNConfig(data_dir="cifar10"))  # two inits, 5 epochs each
    assert simplenn.steps == 2 * 5 * math.ceil(CIFAR_TRAIN / 64) == 7040
    cifar = one("cifar", CifarConfig(data_dir="cifar10"))  # constant rate and step decay, 30 epochs each
    assert cifar.steps == 2 * 30 * math.ceil(CIFAR_TRAIN / 128)
    assert cifar.seconds_per_step == pytest.approx(0.128)


def test_pipeline_counts_each_distinct_variant_once(fake_timing):
    # augmentation 2, batch norm 5 more (bn, and both at 0.1 and 0.5), swish 1 more (its ReLU twin is bn at 0.1),
    # lr 6, l2 4 more (1e-4 is the baseline), l1 1 more: 19
    part = one("pipeline", PipelineConfig(data_dir="cifar10", epochs=1))
    assert part.steps == 19 * math.ceil(CIFAR_TRAIN / 128)
    assert "19 variants" in part.label and "upper estimate" in part.label
    lr_only = one("pipeline", PipelineConfig(data_dir="cifar10", epochs=2, variants=("lr",)))
    assert lr_only.steps == 6 * 2 * 352
    # three architectures timed: plain ReLU, batch norm with ReLU, batch norm with Swish
    assert {(w.batch_norm, w.activation) for w in fake_timing} == {(False, "relu"), (True, "relu"), (True, "swish")}


def test_sentiment_counts_both_presets_on_imdbs_training_share(fake_timing):
    part = one("sentiment", SentimentConfig(data="imdb"))
    default, course = 6 * math.ceil(IMDB_TRAIN / 64), 5 * math.ceil(IMDB_TRAIN / 96)
    assert part.steps == default + course
    assert part.seconds == pytest.approx(default * 0.064 + course * 0.096)
    course_only = one("sentiment", SentimentConfig(data="imdb", presets=("course",), epochs=1))
    assert course_only.steps == math.ceil(IMDB_TRAIN / 96) == 235
    assert {(w.tokens, w.settings.embedding_dim) for w in fake_timing} == {(256, 128), (256, 1)}


def test_the_lms_sweep_and_unknown_parts_count_nothing(fake_timing):
    sweep = one("lms-sweep", LMSSweepConfig())
    assert (sweep.label, sweep.steps, sweep.seconds) == ("LMS, a few seconds (not timed)", 0, 0)
    assert one("something-new", LMSSweepConfig()).seconds == 0
    assert not fake_timing


def test_a_workload_several_parts_share_is_timed_once(fake_timing):
    parts = [("simplenn", SimpleNNConfig(data_dir="cifar10")), ("classify", ClassifyConfig(data_dir="cifar10"))]
    first, second = estimate_parts(parts, CPU)
    assert len(fake_timing) == 1 and first.seconds_per_step == second.seconds_per_step


class FakeClock:
    """Each reading one second after the last."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def tiny_lm(architecture: str) -> torch.nn.Module:
    import transformers

    config = transformers.GPT2Config(
        vocab_size=64, n_positions=128, n_embd=16, n_layer=1, n_head=2, bos_token_id=0, eos_token_id=0
    )
    return transformers.GPT2LMHeadModel(config)


def test_a_language_model_step_is_its_blocks_passes_and_one_update(monkeypatch):
    # On a CPU one block is timed and its forward and backward counted once per block of the step: with one
    # second per pass and one per update, 8 blocks x 2 accumulated batches make 16 + 1 seconds a step.
    monkeypatch.setattr(timing, "lm_model", tiny_lm)
    monkeypatch.setattr(timing, "clock", FakeClock())
    cfg = LMConfig(model="gpt2", block_size=32, batch_size=8, accumulate=2, max_steps=3)
    part = one("lm", cfg)
    assert part.steps == 2 * 3  # full and LoRA
    assert part.seconds_per_step == pytest.approx(16 + 1)
    assert part.label.startswith("lm: gpt2, 2 x 3 steps of 8 x 32 tokens x 2")
    assert "LoRA timed as full" in part.label
    assert one("lm", LMConfig(model="smollm2", methods=("full",), max_steps=5, batch_size=1)).seconds == 5 * 2


def test_a_real_timing_of_a_small_model_leaves_the_random_state_alone():
    state = torch.get_rng_state()
    part = one("classify", ClassifyConfig(data_dir="cifar10", epochs=1, batch_size=32))
    assert torch.equal(state, torch.get_rng_state())
    assert part.steps == math.ceil(CIFAR_TRAIN / 32)
    assert 0 < part.seconds_per_step < 5


def test_timing_needs_at_least_one_timed_step():
    with pytest.raises(ValueError, match="timed_steps"):
        estimate_parts([("lms-sweep", LMSSweepConfig())], CPU, timed_steps=0)


def test_durations_read_as_seconds_or_hours_minutes_and_seconds():
    assert [format_duration(s) for s in (0, 0.4, 59.4, 60, 3599, 3723.2, 36_000)] == [
        "0 s",
        "0 s",
        "59 s",
        "0:01:00",
        "0:59:59",
        "1:02:03",
        "10:00:00",
    ]


def test_the_lines_align_and_the_total_is_the_sum():
    estimates = [
        PartEstimate("lms-sweep", "seconds", 0, 0.0, 0.0),
        PartEstimate("resnet", "ResNet-20, 10 iterations of batch 128", 10, 0.26, 2.6),
        PartEstimate("lm", "lm: gpt2, 2 x 60 steps of 8 x 512 tokens", 120, 30.0, 3600.0),
    ]
    lines = format_estimates(estimates)
    assert len(lines) == 4
    assert lines[-1].split() == ["total", format_duration(3602.6)] == ["total", "1:00:03"]
    assert len({line.index(e.label) for line, e in zip(lines, estimates, strict=False)}) == 1  # one column
    assert lines[1].startswith("resnet") and "3 s" in lines[1] and "0.26 s a step" in lines[1]
    assert lines[2].split()[:2] == ["lm", "1:00:00"]
