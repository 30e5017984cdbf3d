"""What `study --full` says before it starts: what it will fetch (and what the cache already holds), and the
time it expects on this machine, from a short measured warm-up of each part (see estimate.py)."""

from __future__ import annotations

from src.config import Options
from src.config.paths import CIFAR10, IMDB, WIKITEXT2
from src.data.cache import cache_dir
from src.data.downloads.progress import megabytes
from src.data.downloads.status import needed
from src.experiments.command import Experiment
from src.experiments.ranks import say
from src.shell import shown_path


def names_needed(parts: list[tuple[Experiment, Options]]) -> list[str]:
    """The datasets and Hub models the parts name, in order, each once."""
    names: list[str] = []
    for _, cfg in parts:
        for value in (getattr(cfg, "data_dir", None), getattr(cfg, "data", None), getattr(cfg, "model", None)):
            if value in (CIFAR10, IMDB, WIKITEXT2, "gpt2") and value not in names:
                names.append(value)
    return names


def say_plan(cfg: Options, parts: list[tuple[Experiment, Options]]) -> None:
    """`parts`: those still to run."""
    import torch

    from src.experiments.study.estimate import estimate_parts, format_estimates

    say("study --full: the whole course at its settings, on its data")
    items = [needed(name) for name in names_needed(parts)]
    missing = [item for item in items if not item.cached]
    if missing:
        total = sum(item.size for item in missing)
        say(f"to fetch ({megabytes(total)}; into {shown_path(cache_dir())} and the Hugging Face cache):")
        for item in missing:
            say(f"  {item.title}: about {megabytes(item.size)} from {item.source}")
    cached = [item.title for item in items if item.cached]
    if cached:
        say(f"already in the cache: {', '.join(cached)}")
    todo = [(experiment.name, part) for experiment, part in parts]
    device = torch.device("cuda" if torch.cuda.is_available() and cfg.accelerator in ("auto", "gpu", "cuda") else "cpu")
    say(f"measuring a few training steps of each part on {device} (synthetic data) ...")
    for line in format_estimates(estimate_parts(todo, device)):
        say(f"  {line}")
