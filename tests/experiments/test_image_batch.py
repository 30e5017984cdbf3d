"""The training batch an image run really uses: the warning's words and the report's."""

from __future__ import annotations

from src.experiments.image_batch import batch_words, clipped_batch_message


def test_the_warning_names_the_batch_really_held():
    assert clipped_batch_message(128, 1_437) is None
    assert clipped_batch_message(1_437, 1_437) is None
    assert clipped_batch_message(100_000, 1_437) == (
        "--batch-size 100000 is more than the 1,437 training images: each training batch holds 1,437"
    )
    assert clipped_batch_message(1_000, 1_437, world_size=2) == (
        "--batch-size 1000 is more than a process's 719 training images (1,437 shared by 2 processes): each "
        "training batch holds 719"
    )


def test_the_report_says_the_batch_really_used():
    assert batch_words({"batch_size": 128, "batch_size_used": 128}) == "batch 128"
    assert batch_words({"batch_size": 128}) == "batch 128"  # results without the entry: as given
    assert batch_words({"batch_size": 128, "batch_size_used": 128, "eval_batch_size": 100}) == (
        "batch 128 (evaluation 100)"
    )
    assert batch_words({"batch_size": 100_000, "batch_size_used": 1_437, "eval_batch_size": 1000}) == (
        "batch 1,437 (every training image: --batch-size 100000 asked for more; evaluation 1000)"
    )
