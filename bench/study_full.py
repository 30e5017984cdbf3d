"""The time `train.py study --full` expects on this machine: each part's training steps counted from its real
config, times the seconds per step measured in a short warm-up of its real model at its real size (synthetic
data; see src/experiments/study/estimate.py, workloads.py and timing.py for what is and is not timed).
Prints one JSON object.
Usage: python bench/study_full.py [--out FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import torch

if __package__ in (None, ""):  # `python bench/x.py`: make the repository root importable as in `-m bench.x`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, machine, setup_quiet
from src.experiments.study.estimate import PartEstimate, estimate_parts, format_duration


def full_study_parts() -> list[tuple[str, object]]:
    """The parts of `study --full`, from the study itself when it defines them, else built here the same way."""
    try:
        from src.experiments.study import StudyConfig, full_parts
    except ImportError:
        return built_parts()
    return [(experiment.name, cfg) for experiment, cfg in full_parts(StudyConfig(full=True))]


def built_parts() -> list[tuple[str, object]]:
    from src.experiments.cifar.config import CifarConfig
    from src.experiments.classify.config import ClassifyConfig
    from src.experiments.lm.config import LMConfig
    from src.experiments.lms.config import LMSSweepConfig
    from src.experiments.pipeline.config import PipelineConfig
    from src.experiments.resnet.config import ResNetConfig
    from src.experiments.sentiment.config import SentimentConfig
    from src.experiments.simplenn.config import SimpleNNConfig

    lm = dict(data="wikitext-2", fraction=0.1, block_size=512, batch_size=8, max_steps=60, val_every=20)
    return [
        ("lms-sweep", LMSSweepConfig()),
        ("simplenn", SimpleNNConfig(data_dir="cifar10")),
        ("classify", ClassifyConfig(data_dir="cifar10")),
        ("cifar", CifarConfig(data_dir="cifar10")),
        ("pipeline", PipelineConfig(data_dir="cifar10")),
        ("resnet", ResNetConfig(data_dir="cifar10")),
        ("sentiment", SentimentConfig(data="imdb")),
        *(("lm", LMConfig(model=model, **lm)) for model in ("gpt2", "smollm2")),
    ]


def part_json(estimate: PartEstimate) -> dict:
    return {
        **dataclasses.asdict(estimate),
        "seconds_per_step": round(estimate.seconds_per_step, 5),
        "seconds": round(estimate.seconds, 1),
        "time": format_duration(estimate.seconds),
    }


def run() -> dict:
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    parts = full_study_parts()
    started = time.perf_counter()
    estimates = estimate_parts(parts, device)
    warmup_s = time.perf_counter() - started
    total = sum(e.seconds for e in estimates)
    return {
        "benchmark": "study_full",
        "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
        "processor": machine()["cpu"],
        "data": "synthetic: random inputs of each part's real shape (speed does not depend on their values)",
        "parts": [part_json(e) for e in estimates],
        "total_seconds": round(total, 1),
        "total": format_duration(total),
        "warmup_seconds": round(warmup_s, 1),
        "note": "training steps only (see each part's note): data loading, validation, testing and evaluation "
        "are not timed",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    setup_quiet()
    emit({"machine": machine(), **run()}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
