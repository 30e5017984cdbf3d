"""Tables several experiments' reports share."""

from __future__ import annotations

from src.experiments.wording import loss, pct


def history_table(history: list[dict]) -> str:
    """One row per epoch; a value a row does not have (epoch 0 has no training) or that is not finite: —."""
    lines = ["| epoch | train loss | train acc | val loss | val acc | lr (at its start) |", "|---|---|---|---|---|---|"]
    for row in history:
        lr = row.get("train/lr")
        lines.append(
            f"| {row['epoch']} | {loss(row.get('train/loss'))} | {pct(row.get('train/acc'))} | "
            f"{loss(row.get('val/loss'))} | {pct(row.get('val/acc'))} | {'—' if lr is None else f'{lr:.3g}'} |"
        )
    return "\n".join(lines)
