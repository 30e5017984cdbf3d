"""Where overfitting starts, by one rule and in one wording for every lab: the validation loss above its minimum
while the training loss keeps falling below its value there. A validation loss that rises with the training
loss is not overfitting (the network fits its training images no better): training became unstable."""

from __future__ import annotations

import math

from src.experiments.wording import points

OVERFITTING, UNSTABLE, NONE = "overfitting", "unstable", "none"


def overfitting(history: list[dict]) -> dict | None:
    """From epoch rows ("epoch", "train/loss", "val/loss", and "train/acc", "val/acc" where there are; rows
    without both losses finite, such as epoch 0 or a diverged epoch, are left out): the epoch with the lowest
    validation loss (the first of equal ones), the first later epoch whose validation loss is above it
    (`first_rise`), and the first later epoch whose validation loss is above it while its training loss is
    below its value there (`starts`: where overfitting starts). `val_loss_at_rise` and `train_loss_at_rise` are
    those of the epoch the report quotes: `starts` when there is one, else `first_rise`. `verdict`: overfitting;
    unstable (rises, but never with the training loss lower); none (no later epoch ends above the minimum).
    None without a row."""
    rows = [row for row in history if finite(row.get("train/loss")) and finite(row.get("val/loss"))]
    if not rows:
        return None
    lowest = min(rows, key=lambda row: row["val/loss"])
    rises = [row for row in rows if row["epoch"] > lowest["epoch"] and row["val/loss"] > lowest["val/loss"]]
    start = next((row for row in rises if row["train/loss"] < lowest["train/loss"]), None)
    rise = start or (rises[0] if rises else None)  # the epoch the sentence quotes
    last = rows[-1]
    return {
        "verdict": OVERFITTING if start else UNSTABLE if rises else NONE,
        "lowest_epoch": lowest["epoch"],
        "lowest_val_loss": lowest["val/loss"],
        "train_loss_at_lowest": lowest["train/loss"],
        "starts": None if start is None else start["epoch"],
        "first_rise": rises[0]["epoch"] if rises else None,
        "val_loss_at_rise": None if rise is None else rise["val/loss"],
        "train_loss_at_rise": None if rise is None else rise["train/loss"],
        "last_epoch": last["epoch"],
        "last_val_loss": last["val/loss"],
        "last_train_loss": last["train/loss"],
        "gap_at_lowest": accuracy_gap(lowest),
        "last_gap": accuracy_gap(last),
    }


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def accuracy_gap(row: dict) -> float | None:
    """Train - validation accuracy of an epoch row; None where it lacks either."""
    if row.get("train/acc") is None or row.get("val/acc") is None:
        return None
    return row["train/acc"] - row["val/acc"]


def overfitting_text(found: dict | None) -> str:
    """The report's sentences for overfitting()'s answer."""
    if found is None:
        return "No epoch finished with finite training and validation losses."
    k, last = found["lowest_epoch"], found["last_epoch"]
    lowest = f"Validation loss is lowest at epoch {k} ({found['lowest_val_loss']:.4f})"
    if found["verdict"] == NONE:
        where = ", the last epoch" if last == k else ", and no later epoch ends above it"
        return f"{lowest}{where}: no overfitting within these {last} epochs."
    at, rise = found["starts"] or found["first_rise"], f"{found['val_loss_at_rise']:.4f}"
    train = f"({found['train_loss_at_lowest']:.4f} at epoch {k} -> {found['train_loss_at_rise']:.4f})"
    if found["verdict"] == UNSTABLE:
        return (
            f"{lowest}; later epochs end above it ({rise} at epoch {at}), but the training loss is no lower than "
            f"there {train}: the network fits its training images no better either. Not overfitting: **training "
            "became unstable**."
        )
    said = (
        f"{lowest}; at epoch {at} the validation loss is above it ({rise}) while the training loss keeps falling "
        f"{train}: **overfitting starts at epoch {at}**."
    )
    if last != at:
        val_change = found["last_val_loss"] - found["lowest_val_loss"]
        train_change = found["last_train_loss"] - found["train_loss_at_lowest"]
        said += (
            f" At the last epoch, {last}, the validation loss is {val_change:+.4f} and the training loss "
            f"{train_change:+.4f} against epoch {k}."
        )
    if found["gap_at_lowest"] is not None and found["last_gap"] is not None:
        said += (
            f" The train - validation accuracy gap goes from {points(found['gap_at_lowest'])} at epoch {k} to "
            f"{points(found['last_gap'])} at epoch {last}."
        )
    return said


def overfitting_brief(found: dict | None) -> str:
    """The console summary's few words for overfitting()'s answer."""
    if found is None:
        return "no epoch with finite losses"
    if found["verdict"] == OVERFITTING:
        return f"overfitting from epoch {found['starts']}"
    if found["verdict"] == UNSTABLE:
        return f"val loss up from epoch {found['first_rise']}, training loss no lower: unstable, not overfitting"
    if found["lowest_epoch"] == found["last_epoch"]:
        return "val loss lowest at the last epoch"
    return f"val loss lowest at epoch {found['lowest_epoch']}, never above it after"
