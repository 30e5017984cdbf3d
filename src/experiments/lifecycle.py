"""run_experiment: the one run lifecycle every experiment shares.

1. resolve the options on this machine ('auto' precision, the optimizer's default rate); with --resume,
   take the saved options of the run being continued (see resume.py)
2. the experiment's prepare(): data loaded and checked. Everything up to here can fail on the user's input
   without leaving anything behind
3. the run directory (new, or the resumed one), locked against other processes until the run ends;
   config.json, the seed
4. the experiment's train(): fits, resume, graceful interruption (RunContext)
5. results.json (the experiment's results + experiment, status, config, meta), figures and report.md, on
   rank zero only; an interruption then exits with how to resume
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytorch_lightning as pl

from src.atomic import write_atomic, write_results
from src.callbacks.checkpointing import CHECKPOINTS, INTERRUPTED
from src.config import Machine, Options, to_json, validate
from src.errors import RunInterrupted, UserError
from src.experiments.command import Experiment
from src.experiments.figures import FigureSink
from src.experiments.machine import detect_machine
from src.experiments.quiet import quiet_lightning
from src.experiments.ranks import is_rank_zero, say
from src.experiments.resume import CONFIG_FILE, Resume, refuse_completed, resume_or_new
from src.experiments.run_context import Interruption, RunContext
from src.experiments.run_dir import check_logdir, run_directory
from src.experiments.run_meta import Interrupted, RunMeta
from src.experiments.steps import Run, Steps
from src.shell import shown_path, tensorboard_command, train_command


@dataclass(frozen=True)
class Prepared:
    """An experiment ready to run: resolved options, the run to resume (if any), its data."""

    experiment: Experiment
    steps: Steps
    config: Options
    machine: Machine
    resume: Resume | None
    data: Any


def prepare(experiment: Experiment, cfg: Options, given: frozenset[str] = frozenset()) -> Prepared:
    """Steps 1-2: everything that can fail on the user's input, before anything is written."""
    quiet_lightning()
    machine = detect_machine()
    cfg, resume = resume_or_new(cfg.resolved(machine), experiment.name, given)
    if resume is not None:  # the saved options must run here too (a GPU run resumed on a CPU, say)
        try:
            cfg = cfg.resolved(machine)
        except UserError as exc:
            raise UserError(f"--resume {resume.run_dir}: its saved option {exc}") from None
    validate(cfg)
    check_logdir(cfg.logdir, experiment.name)
    steps = experiment.load()
    return Prepared(experiment, steps, cfg, machine, resume, steps.prepare(cfg))


def run_prepared(prepared: Prepared, on_directory: Callable[[Path], None] | None = None) -> Run:
    """Steps 3-5; the Run carries its console summary (empty off rank zero). `on_directory(run_dir)` is told
    where the run goes as soon as its directory exists (a study records it, to resume an interrupted part)."""
    experiment, steps, cfg, resume = prepared.experiment, prepared.steps, prepared.config, prepared.resume
    rank_zero = is_rank_zero()
    with run_directory(cfg.logdir, experiment.name, existing=resume.run_dir if resume else None) as directory:
        if on_directory is not None:
            on_directory(directory.path)
        if resume is not None and rank_zero:  # now that we hold its lock: it may have completed while we prepared
            refuse_completed(resume.run_dir, str(resume.run_dir))
        started = time.time()
        if resume is None and rank_zero:
            write_atomic(directory.path / CONFIG_FILE, json.dumps(to_json(cfg), indent=2) + "\n")
        pl.seed_everything(cfg.seed, workers=True, verbose=False)
        context = RunContext(experiment.name, directory, prepared.machine, resume, options=to_json(cfg))
        trained = steps.train(cfg, prepared.data, context)
        stop = context.interruption
        results = {
            "experiment": experiment.name,
            "status": "completed" if stop is None else "interrupted",
            **steps.results(cfg, prepared.data, trained),
        }
        results["config"] = {**to_json(cfg), **results.get("config", {})}
        results["meta"] = run_meta(directory.path, started, resume, stop, experiment.resumable).to_json()
        if rank_zero:
            sink = FigureSink(directory.path)
            try:
                figures = steps.figures(results, prepared.data, trained, sink)
            finally:
                sink.close()
            write_results(directory.path, results, steps.report(results, figures, trained))
        if stop is not None:
            message = interruption_message(experiment.name, directory.path, stop, experiment.resumable)
            raise RunInterrupted(message, stop.exit_status)
        if rank_zero:  # a completed run no longer needs the checkpoints of interruptions it recovered from
            for leftover in (directory.path / CHECKPOINTS).glob(f"**/{INTERRUPTED}"):
                leftover.unlink()
    run = Run(experiment.name, cfg, directory.path, results, trained)
    return dataclasses.replace(run, summary=steps.summary(run) if rank_zero else [])


def run_experiment(experiment: Experiment, cfg: Options, given: frozenset[str] = frozenset()) -> Run:
    """Run one experiment through the whole lifecycle (see the module docstring)."""
    return run_prepared(prepare(experiment, cfg, given))


def present(run: Run, printed: set[str] | None = None) -> None:
    """Print (on rank zero) a run's summary blocks, skipping those already in `printed`, and where it is."""
    printed = set() if printed is None else printed
    for block in run.summary:
        if block not in printed:
            say(f"\n{block}")
            printed.add(block)
    say(f"run directory: {shown_path(run.run_dir)}  (results.json, report.md, figures/, TensorBoard events)")


def tensorboard_line(logdir: Path) -> str:
    return f"TensorBoard:   {tensorboard_command(logdir)}"


def run_meta(
    run_dir: Path, started: float, resume: Resume | None, stop: Interruption | None, resumable: bool = True
) -> RunMeta:
    """The part of results.json that may differ between two runs with one seed: paths, times, resumption."""
    interrupted = None
    if stop is not None:
        checkpoint = str(interrupted_checkpoint(run_dir, stop)) if resumable else None
        interrupted = Interrupted(stop.signal_name, stop.epoch, stop.global_step, checkpoint)
    resumed_from = None if resume is None else str(resume.checkpoint.path)
    return RunMeta(str(run_dir), started, time.time() - started, resumed_from, interrupted)


def interrupted_checkpoint(run_dir: Path, stop: Interruption) -> Path:
    """Where the interruption's checkpoint is: checkpoints/interrupted.ckpt, or a part's in a run of several."""
    return stop.checkpoint or Path(run_dir) / CHECKPOINTS / INTERRUPTED


def interruption_message(experiment: str, run_dir: Path, stop: Interruption, resumable: bool = True) -> str:
    checkpoint = interrupted_checkpoint(run_dir, stop)
    if not resumable:
        return (
            f"interrupted by {stop.signal_name} in epoch {stop.epoch} after {stop.global_step} steps; partial results "
            f"in {shown_path(run_dir / 'results.json')}; {experiment} is not resumable: run it again to finish"
        )
    return (
        f"interrupted by {stop.signal_name} in epoch {stop.epoch} after {stop.global_step} steps; checkpoint "
        f"{shown_path(checkpoint)}, partial results in {shown_path(run_dir / 'results.json')}\n"
        f"resume with: {train_command(experiment, '--resume', shown_path(run_dir))}"
    )


def leave_process_group() -> None:
    """Each rank of a DDP run tears its process group down once its command is done, while the interpreter is
    fully alive, as PyTorch asks: left to the interpreter's exit, gloo's threads can abort a rank ("terminate
    called without an active exception"), and Lightning's launcher then kills the other one. No barrier: a rank
    that stopped on an error must not leave the other waiting."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
