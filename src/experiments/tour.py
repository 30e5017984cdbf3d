"""run_tour: several experiments in turn (the study), each in its own run directory, and the tour's own run
directory (runs/study/version_N) with its options, each part's status (study.json) and one report.md.

Every part is prepared (options resolved and checked, data loaded or fetched) before the first one starts, so a
bad option or file fails before anything runs or prints. A summary block that an earlier part already printed
(the same layer table, say) is not printed again. An interruption stops the tour after the part it hit has
saved its checkpoint; `--resume` then skips the parts that completed, resumes the interrupted one from its
checkpoint (a part that cannot resume runs again) and goes on with the rest, with the options the tour was
started with.
"""

from __future__ import annotations

import dataclasses
import functools
import json

from src.atomic import write_atomic
from src.callbacks.checkpointing import CHECKPOINTS
from src.config import Options, from_json, to_json
from src.errors import RunInterrupted, UserError
from src.experiments.command import Experiment, Tour
from src.experiments.lifecycle import Prepared, prepare, present, run_prepared, tensorboard_line
from src.experiments.ranks import say
from src.experiments.resume import CONFIG_FILE
from src.experiments.run_dir import check_logdir, run_directory
from src.experiments.steps import Run
from src.experiments.study.record import RECORD_FILE, PartRecord, StudyRecord, find_study
from src.experiments.study.report import part_results, study_report
from src.shell import shown_path, train_command

REPORT = "report.md"


def run_tour(tour: Tour, cfg: Options) -> list[Run]:
    existing = None
    if getattr(cfg, "resume", None):
        existing = find_study(cfg.resume, cfg.logdir, tour.name)
        try:
            saved = json.loads((existing / CONFIG_FILE).read_text())
        except (OSError, ValueError) as exc:
            raise UserError(f"--resume {cfg.resume}: no readable {existing / CONFIG_FILE} ({exc})") from None
        # its saved options, but the parts it has yet to run go beside it, wherever it has been moved
        cfg = from_json(type(cfg), {**saved, "resume": cfg.resume, "logdir": str(existing.parent.parent)})
    check_logdir(cfg.logdir, tour.name)
    parts = tour.parts(cfg)
    record = StudyRecord.load(existing) if existing else None
    if record is not None:
        if [part.experiment for part in record.parts] != [experiment.name for experiment, _ in parts]:
            raise UserError(f"--resume {existing}: its parts are not those of this version's {tour.name}")
        for part in record.parts:  # a part that completed just before the tour was killed
            results = part_results(record.run_dir_of(part))
            if results is not None and results.get("status") == "completed":
                part.status = "completed"
        if record.completed:
            raise UserError(f"--resume {cfg.resume}: {existing} has completed ({RECORD_FILE}): nothing to resume")
    if tour.plan is not None:
        tour.plan(cfg, [part.status == "completed" for part in record.parts] if record else [False] * len(parts))
    prepared = [
        None if record and record.parts[i].status == "completed" else prepare_part(experiment, part, record, i)
        for i, (experiment, part) in enumerate(parts)
    ]
    printed: set[str] = set()
    runs = []
    with run_directory(cfg.logdir, tour.name, existing=existing) as directory:
        if record is None:
            write_atomic(directory.path / CONFIG_FILE, json.dumps(to_json(cfg), indent=2) + "\n")
            record = StudyRecord(directory.path, [PartRecord(experiment.name) for experiment, _ in parts])
            record.save()
        directory.training_started()  # from here on, an error keeps the study's directory (and what it records)
        for number, ready in enumerate(prepared, start=1):
            part = record.parts[number - 1]
            if ready is None:
                done = shown_path(record.run_dir_of(part))
                say(f"== {number}/{len(prepared)} {part.experiment}: completed in {done} ==")
                continue
            if number > 1:
                say()
            say(f"== {number}/{len(prepared)} {ready.experiment.name}: {ready.experiment.help} ==")

            try:
                runs.append(run_prepared(ready, functools.partial(record.started, part)))
            except RunInterrupted as stop:
                part.status = "interrupted"
                finish(record, tour.title(cfg))
                resume = train_command(tour.name, "--resume", shown_path(directory.path))
                raise RunInterrupted(f"{stop}\nthe {tour.name} stopped in part {number}; resume it with: {resume}",
                                     stop.exit_status) from None  # fmt: skip
            except BaseException:  # an error: the record and the report say how far the study got
                part.status = "failed"
                finish(record, tour.title(cfg))
                raise
            part.status = "completed"
            finish(record, tour.title(cfg))
            present(runs[-1], printed)
    say(f"\n{tour.name} report: {shown_path(record.path / REPORT)}")
    say(tensorboard_line(cfg.logdir))
    return runs


def prepare_part(experiment: Experiment, cfg: Options, record: StudyRecord | None, index: int) -> Prepared:
    """A part to run: from the start, or, in a resumed tour, from the checkpoint its interrupted run saved."""
    run_dir = record.run_dir_of(record.parts[index]) if record else None
    checkpoints = run_dir / CHECKPOINTS if run_dir else None
    if experiment.resumable and checkpoints is not None and any(checkpoints.rglob("*.ckpt")):
        return prepare(experiment, dataclasses.replace(cfg, resume=str(run_dir)), frozenset({"resume"}))
    return prepare(experiment, cfg)


def finish(record: StudyRecord, title: str) -> None:
    record.save()
    write_atomic(record.path / REPORT, study_report(record, title))
