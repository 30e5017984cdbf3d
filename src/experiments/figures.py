"""Figures of a run: a PNG under figures/ and the same picture in TensorBoard's Images tab (tables: Text tab)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure  # Figure without pyplot: no GUI backend, no global state
from torch.utils.tensorboard import SummaryWriter

from src.atomic import write_atomic

FIGURES = "figures"


@dataclass(frozen=True)
class FigureFile:
    title: str
    path: str | None  # relative to the run directory; None when the figure was skipped
    note: str = ""  # why it was skipped, or what to look for


class FigureSink:
    """Saves figures of one run directory; opens its TensorBoard writer on first use, closed by `close()`."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self._writer: SummaryWriter | None = None

    def save(self, figure: Figure, name: str, title: str = "", note: str = "") -> FigureFile:
        (self.run_dir / FIGURES).mkdir(exist_ok=True)
        relative = f"{FIGURES}/{name}.png"
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110)
        write_atomic(self.run_dir / relative, buffer.getvalue())
        self._tensorboard().add_figure(f"{FIGURES}/{name}", figure, global_step=0, close=False)
        return FigureFile(title or name, relative, note)

    def text(self, tag: str, markdown: str) -> None:
        """A table or note in TensorBoard's Text tab, beside the figures."""
        self._tensorboard().add_text(tag, markdown, global_step=0)

    def _tensorboard(self) -> SummaryWriter:
        if self._writer is None:
            self._writer = SummaryWriter(str(self.run_dir))
        return self._writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
