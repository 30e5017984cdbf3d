"""The scalars a fit logged to TensorBoard, read back from its log directory: every experiment has them, so the
default results, learning curves and summary (src/experiments/defaults.py) need nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NOT_METRICS = ("epoch", "hp_metric")  # Lightning's bookkeeping scalars

Series = list[tuple[int, float]]  # (global step, value), in step order


def read_scalars(log_dir: Path) -> dict[str, Series]:
    """tag -> its values, from the event files directly in `log_dir` (not its sub-runs); a step logged twice
    (a resumed run repeats the steps after its checkpoint) keeps its last value."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})
    accumulator.Reload()
    found: dict[str, Series] = {}
    for tag in sorted(accumulator.Tags()["scalars"]):
        if tag in NOT_METRICS:
            continue
        by_step = {event.step: event.value for event in accumulator.Scalars(tag)}
        found[tag] = sorted(by_step.items())
    return found


@dataclass(frozen=True)
class Metric:
    """One logged scalar, summarised: results["metrics"][tag] of an experiment with the default results."""

    last: float
    step: int  # the global step of the last value
    min: float
    max: float
    count: int  # how many values were logged

    @classmethod
    def of_series(cls, series: Series) -> Metric:
        values = [value for _, value in series]
        return cls(values[-1], series[-1][0], min(values), max(values), len(values))

    @classmethod
    def from_json(cls, data: dict) -> Metric:
        return cls(data["last"], data["step"], data["min"], data["max"], data["count"])

    def to_json(self) -> dict:
        return {"last": self.last, "step": self.step, "min": self.min, "max": self.max, "count": self.count}


def summarise(scalars: dict[str, Series]) -> dict[str, Metric]:
    return {tag: Metric.of_series(series) for tag, series in scalars.items() if series}
