"""A confusion matrix as reports use it: per-class accuracy, a Markdown table and a figure."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from src.experiments.wording import pct


def confusion_results(matrix: Sequence[Sequence[int]], classes: Sequence[str]) -> dict:
    """{"matrix": rows = true class, columns = predicted, "per_class": {class: accuracy or None}, "accuracy",
    "images"}; a class without images has no accuracy (None)."""
    rows = [[int(v) for v in row] for row in matrix]
    total = sum(sum(row) for row in rows)
    correct = sum(rows[k][k] for k in range(len(rows)))
    per_class = {
        name: (row[k] / sum(row) if sum(row) else None) for k, (name, row) in enumerate(zip(classes, rows, strict=True))
    }
    return {"matrix": rows, "per_class": per_class, "accuracy": correct / total if total else None, "images": total}


def confusion_markdown(confusion: dict, classes: Sequence[str]) -> str:
    """The matrix with a row per true class and its accuracy in the last column."""
    header = "| true \\ predicted | " + " | ".join(classes) + " | accuracy |"
    lines = [header, "|" + "---|" * (len(classes) + 2)]
    for i, (name, row) in enumerate(zip(classes, confusion["matrix"], strict=True)):
        cells = " | ".join(f"**{v}**" if j == i else str(v) for j, v in enumerate(row))  # the diagonal: right
        lines.append(f"| {name} | {cells} | {pct(confusion['per_class'][name], 1)} |")
    return "\n".join(lines)


def most_confused(confusion: dict, classes: Sequence[str], count: int = 3) -> list[tuple[str, str, int]]:
    """The `count` largest off-diagonal cells: (true class, predicted class, images)."""
    cells = [
        (classes[i], classes[j], v)
        for i, row in enumerate(confusion["matrix"])
        for j, v in enumerate(row)
        if i != j and v > 0
    ]
    return sorted(cells, key=lambda cell: -cell[2])[:count]


def confusion_figure(confusion: dict, classes: Sequence[str], title: str) -> Figure:
    matrix = confusion["matrix"]
    figure = Figure(figsize=(7.5, 6.5), layout="constrained")
    ax = figure.add_subplot(1, 1, 1)
    totals = [max(1, sum(row)) for row in matrix]
    shares = [[v / totals[i] for v in row] for i, row in enumerate(matrix)]  # row-normalised: recall per class
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            color = "white" if shares[i][j] > 0.5 else "black"
            ax.text(j, i, str(value), ha="center", va="center", fontsize=7, color=color)
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(classes)), classes, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    figure.colorbar(image, ax=ax, label="share of the true class's images")
    return figure
