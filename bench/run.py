"""The benchmark suite: LMS, classification, the CIFAR-10 labs' sweep, ResNet-20, sentiment and the language
model, each against its
in-process baseline. Prints one JSON object and writes it to bench/results/<date>-<device>.json (or --out).

Usage: python bench/run.py [--reps 3] [--quick] [--compile] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

if __package__ in (None, ""):  # `python bench/run.py`: make the repository root importable as in `-m bench.run`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import classify, lm, lms, pipeline, resnet, sentiment
from bench.common import emit, machine, setup_quiet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5, help="repetitions per measurement; medians are reported")
    parser.add_argument("--quick", action="store_true", help="fewer and smaller measurements (a smoke run)")
    parser.add_argument("--compile", action="store_true", help="also measure torch.compile (slow to compile)")
    parser.add_argument("--out", type=Path, help="where to write the JSON (default: bench/results/...)")
    args = parser.parse_args(argv)
    setup_quiet()
    reps = 1 if args.quick else args.reps
    started = time.time()
    result = {
        "machine": machine(),
        "lms": lms.run(reps=max(reps, 1), with_scaling=not args.quick),
        "classify": classify.run(reps=reps, train_images=512 if args.quick else 4096, with_compile=args.compile),
        "pipeline": pipeline.run(reps=reps, train_images=512 if args.quick else 4096),
        "resnet": resnet.run(
            reps=min(reps, 3),  # ResNet-20 epochs take seconds on a CPU: three repetitions are enough
            train_images=128 if args.quick else 1024,
            with_compile=args.compile,
            matrix_images=128 if args.quick else 512,
        ),
        "sentiment": sentiment.run(
            reps=min(reps, 3), epochs=2 if args.quick else 3, imdb_reviews=5_000 if args.quick else 50_000
        ),
        "lm": lm.run(steps=4 if args.quick else 8, quick=args.quick),
    }
    result["elapsed_s"] = round(time.time() - started, 1)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out = args.out or Path(__file__).parent / "results" / f"{time.strftime('%Y%m%d-%H%M%S')}-{device}.json"
    emit(result, out)
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
