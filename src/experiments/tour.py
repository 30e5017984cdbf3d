"""run_tour: several experiments in turn (the study), each in its own run directory.

Every part is prepared (options resolved and checked, data loaded) before the first one starts, so a bad option
or file fails before anything runs or prints. A summary block that an earlier part already printed (the same
layer table, say) is not printed again.
"""

from __future__ import annotations

from src.config import Options
from src.experiments.command import Tour
from src.experiments.lifecycle import prepare, present, run_prepared, tensorboard_line
from src.experiments.ranks import say
from src.experiments.steps import Run


def run_tour(tour: Tour, cfg: Options) -> list[Run]:
    prepared = [prepare(experiment, part) for experiment, part in tour.parts(cfg)]
    printed: set[str] = set()
    runs = []
    for number, ready in enumerate(prepared, start=1):
        if number > 1:
            say()
        say(f"== {number}/{len(prepared)} {ready.experiment.name}: {ready.experiment.help} ==")
        runs.append(run_prepared(ready))
        present(runs[-1], printed)
    say(tensorboard_line(cfg.logdir))
    return runs
