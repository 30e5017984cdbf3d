"""The study's report.md: one table for every lab (its headline, the course notebook's number and the paper's,
the data it ran on, its time, links to the part's report and run directory) and each lab's most telling figure."""

from __future__ import annotations

import json
import os
from pathlib import Path

from src.experiments.study.headlines import REFERENCES, TITLES, headline
from src.experiments.study.record import StudyRecord
from src.experiments.tables import markdown_table

# The figure that says most about each lab (its learning curves otherwise).
FIGURES = {
    "lms-sweep": "mse_vs_epoch",
    "simplenn": "init_comparison",
    "pipeline": "study_augmentation",
    "resnet": "confusion_matrix",
}


def part_results(run_dir: Path | None) -> dict | None:
    if run_dir is None:
        return None
    try:
        return json.loads((Path(run_dir) / "results.json").read_text())
    except (OSError, ValueError):
        return None


def data_of(results: dict) -> str:
    data = results.get("data") or results.get("training", {}).get("data") or {}
    name = data.get("name") or Path(data.get("path", "—")).name
    origin = data.get("origin")
    if origin and not origin.get("official", True):
        return f"{name} (a local copy, md5 {origin['md5'][:12]}…, not the official archive)"
    return name


def figure_of(run_dir: Path, experiment: str) -> Path | None:
    folder = run_dir / "figures"
    preferred = folder / f"{FIGURES.get(experiment, 'learning_curves')}.png"
    if preferred.is_file():
        return preferred
    return next(iter(sorted(folder.glob("*.png"))), None)


def study_report(record: StudyRecord, title: str) -> str:
    here = record.path
    rows, figures = [], []
    for part in record.parts:
        lab = TITLES.get(part.experiment, part.experiment)
        course, paper = REFERENCES.get(part.experiment, ("—", "—"))
        run_dir = record.run_dir_of(part)
        results = part_results(run_dir)
        if results is None:
            rows.append([lab, part.status, course, paper, "—", "—", "—"])
            continue
        link = os.path.relpath(run_dir, here)
        seconds = results.get("meta", {}).get("elapsed_s")
        time = "—" if seconds is None else f"{seconds:,.0f} s"
        links = f"[report]({link}/report.md), [run]({link})"
        rows.append([f"{lab} (`{part.experiment}`)", headline(results), course, paper, data_of(results), time, links])
        figure = figure_of(run_dir, part.experiment)
        if figure is not None:
            figures.append(f"### {lab}\n\n![{lab}]({os.path.relpath(figure, here)})\n")
    header = ["lab", "this run", "course notebook", "paper", "data", "time", "links"]
    done = sum(part.status == "completed" for part in record.parts)
    status = "completed" if record.completed else f"{done} of {len(record.parts)} parts completed"
    lines = [f"# {title}", "", f"Status: {status}.", "", markdown_table(header, rows), "", "## Figures", "", *figures]
    return "\n".join(lines)
