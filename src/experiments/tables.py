"""Tables several experiments' reports share."""

from __future__ import annotations

from src.experiments.wording import loss, pct


def history_table(history: list[dict], extra: tuple[tuple[str, str], ...] = ()) -> str:
    """One row per epoch; a value a row does not have (epoch 0 has no training) or that is not finite: —.
    `extra`: (key, heading) of more accuracies-like columns, shown before the learning rate."""
    headings = ["epoch", "train loss", "train acc", "val loss", "val acc", *(h for _, h in extra), "lr (at its start)"]
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    for row in history:
        lr = row.get("train/lr")
        cells = [
            str(row["epoch"]),
            loss(row.get("train/loss")),
            pct(row.get("train/acc")),
            loss(row.get("val/loss")),
            pct(row.get("val/acc")),
            *(pct(row.get(key)) for key, _ in extra),
            "—" if lr is None else f"{lr:.3g}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
