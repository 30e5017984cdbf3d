"""RunMeta: the part of results.json that may differ between two runs with one seed (paths, times,
resumption, the interruption), written by the lifecycle and read by every report that says how a run ended."""

from __future__ import annotations

from dataclasses import dataclass

from src.shell import shown_path, train_command


@dataclass(frozen=True)
class Interrupted:
    signal: str  # "SIGINT"
    epoch: int
    global_step: int
    checkpoint: str | None  # None when the experiment is not resumable

    def to_json(self) -> dict:
        return {
            "signal": self.signal,
            "epoch": self.epoch,
            "global_step": self.global_step,
            "checkpoint": self.checkpoint,
        }

    @classmethod
    def from_json(cls, data: dict) -> Interrupted:
        return cls(data["signal"], data["epoch"], data["global_step"], data["checkpoint"])


@dataclass(frozen=True)
class RunMeta:
    """results["meta"]; `interrupted` is there (in the JSON too) only when a signal stopped the run."""

    run_dir: str
    started: float  # time.time() when the run directory was taken
    elapsed_s: float
    resumed_from: str | None  # the checkpoint a resumed run continued from
    interrupted: Interrupted | None = None

    @property
    def signal(self) -> str:
        """The signal that stopped the run, for a sentence: 'SIGINT', or 'a signal'."""
        return self.interrupted.signal if self.interrupted else "a signal"

    def resume_command(self, experiment: str) -> str:
        return train_command(experiment, "--resume", shown_path(self.run_dir))

    def to_json(self) -> dict:
        meta = {
            "run_dir": self.run_dir,
            "started": self.started,
            "elapsed_s": self.elapsed_s,
            "resumed_from": self.resumed_from,
        }
        return meta if self.interrupted is None else {**meta, "interrupted": self.interrupted.to_json()}

    @classmethod
    def of(cls, results: dict) -> RunMeta:
        return cls.from_json(results["meta"])

    @classmethod
    def from_json(cls, data: dict) -> RunMeta:
        interrupted = data.get("interrupted")
        return cls(
            data["run_dir"],
            data["started"],
            data["elapsed_s"],
            data["resumed_from"],
            None if interrupted is None else Interrupted.from_json(interrupted),
        )
