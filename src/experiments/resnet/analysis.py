"""What a ResNet run's numbers mean: the paper's result for its depth, the 90 % target, and the epoch times."""

from __future__ import annotations

import statistics

# Test error (%) of He et al. (2016), Table 6 (CIFAR-10, option A shortcuts); ResNet-110: the best of 5 runs
# (their mean is 6.61 +- 0.16).
PAPER_TEST_ERROR = {20: 8.75, 32: 7.51, 44: 7.17, 56: 6.97, 110: 6.43}
TARGET = 0.90  # validation accuracy the course asks for within 200 epochs


def paper_reference(depth: int) -> dict | None:
    error = PAPER_TEST_ERROR.get(depth)
    return None if error is None else {"depth": depth, "test_error": error / 100, "test_acc": 1 - error / 100}


def course_target(history: list[dict], data_name: str, max_epochs: int = 200) -> dict:
    """More than 90 % validation accuracy at some epoch within the first 200 (said only for CIFAR-10)."""
    applies = data_name == "cifar10"
    early = [row["val/acc"] for row in history if row["epoch"] <= max_epochs]
    met = None if not applies or not early else max(early) > TARGET
    return {"val_acc": TARGET, "max_epochs": max_epochs, "applies": applies, "met": met}


def timing(seconds: dict[int, float], schedule: dict, train_images: int) -> dict | None:
    """Epoch times of the whole epochs this process ran: the median leaves out the first when there are others
    (warm-up, and compilation with --compile on) and a partial last epoch; the whole recipe's time is
    extrapolated from that median."""
    partial_last = schedule["iterations"] % schedule["steps_per_epoch"] != 0
    whole = {e: s for e, s in seconds.items() if not (partial_last and e == schedule["epochs"])} or dict(seconds)
    if not whole:
        return None
    values = [whole[epoch] for epoch in sorted(whole)]
    steady = values[1:] or values
    median = statistics.median(steady)
    return {
        "epochs_timed": len(steady),
        "first_epoch_included": len(values) == 1,
        "first_epoch_s": values[0],
        "median_epoch_s": median,
        "mean_epoch_s": statistics.fmean(steady),
        "images_per_s": train_images / median,
        "recipe_s_estimate": median * schedule["iterations"] / schedule["steps_per_epoch"],
    }
