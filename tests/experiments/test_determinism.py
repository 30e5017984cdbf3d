"""A seed makes every experiment bit-identical on CPU; another seed changes the data order."""

from __future__ import annotations

import json

import pytest
import torch

from src.cli import main

QUIET = ["--no-progress-bar"]


def run_twice(tmp_path, argv, experiment):
    for _ in range(2):
        assert main([*argv, "--logdir", str(tmp_path), *QUIET]) == 0
    dirs = sorted((tmp_path / experiment).glob("version_*"))
    return dirs, [results_without_meta(d) for d in dirs]


@pytest.mark.parametrize(
    ("argv", "experiment"),
    [
        (["lms-sweep", "--shuffle", "--epochs", "3"], "lms-sweep"),
        (["lms", "--epochs", "2", "--precision", "32-true"], "lms"),
    ],
    ids=["lms-sweep", "lms-float32"],
)
def test_one_seed_gives_identical_results_and_weights(tmp_path, argv, experiment):
    dirs, loaded = run_twice(tmp_path, [*argv, "--seed", "11"], experiment)
    assert_identical(dirs, loaded)


def test_one_seed_gives_identical_classify_results_and_weights(classify_twice):
    """`classify --epochs 2 --augment --seed 11` twice (the session's classify_twice)."""
    dirs = sorted((classify_twice / "classify").glob("version_*"))
    assert len(dirs) == 2
    assert_identical(dirs, [results_without_meta(d) for d in dirs])


def results_without_meta(run_dir) -> dict:
    result = json.loads((run_dir / "results.json").read_text())
    result.pop("meta")
    return result


def assert_identical(dirs, loaded) -> None:
    first, second = loaded
    assert first == second
    a, b = (torch.load(d / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"] for d in dirs)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_simplenn_is_reproducible(tmp_path):
    _, (first, second) = run_twice(tmp_path, ["simplenn", "--epochs", "1", "--seed", "2"], "simplenn")
    assert first == second


def test_other_seeds_shuffle_differently(tmp_path):
    for seed in ("1", "2"):
        assert main(["classify", "--epochs", "1", "--seed", seed, "--logdir", str(tmp_path / seed), *QUIET]) == 0
    one, two = (json.loads(next((tmp_path / s).glob("*/*/results.json")).read_text()) for s in ("1", "2"))
    assert one["history"] != two["history"]
    assert one["data"]["sizes"] == two["data"]["sizes"]
