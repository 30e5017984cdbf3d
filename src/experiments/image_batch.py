"""The training batch an image run really uses: a warning before the run when --batch-size asks for more images
than a process has (a DataLoader cannot fill it), and the words reports say it with."""

from __future__ import annotations

import sys

from src.config import DeviceOptions
from src.data.image_datamodule import batch_used
from src.data.image_splits import ImageSplits
from src.experiments.machine import detect_machine
from src.experiments.ranks import is_rank_zero
from src.experiments.trainer_factory import device_count


def clipped_batch_message(batch_size: int, train_images: int, world_size: int = 1) -> str | None:
    """What the warning says when a batch holds fewer images than `batch_size` asks for; None when it holds them."""
    used = batch_used(batch_size, train_images, world_size)
    if used == batch_size:
        return None
    images = (
        f"the {train_images:,} training images"
        if world_size == 1
        else f"a process's {used:,} training images ({train_images:,} shared by {world_size} processes)"
    )
    return f"--batch-size {batch_size} is more than {images}: each training batch holds {used:,}"


def warn_clipped_batch(cfg: DeviceOptions, splits: ImageSplits) -> None:
    """Print the one-line warning (on rank zero, to stderr) before the run, if --batch-size is clipped."""
    world_size = device_count(cfg, detect_machine()) * cfg.num_nodes
    message = clipped_batch_message(cfg.batch_size, len(splits.train[1]), world_size)
    if message is not None and is_rank_zero():
        print(f"warning: {message}", file=sys.stderr)


def batch_words(config: dict) -> str:
    """A report's words for the batches of a results.json `config` (`batch_size` as given, `batch_size_used` as
    held, `eval_batch_size` where the command has one): 'batch 128 (evaluation 100)', or 'batch 1,437 (every
    training image: --batch-size 100000 asked for more; evaluation 100)'."""
    given = config["batch_size"]
    used = config.get("batch_size_used", given)
    notes = [] if used == given else [f"every training image: --batch-size {given} asked for more"]
    if "eval_batch_size" in config:
        notes.append(f"evaluation {config['eval_batch_size']}")
    return f"batch {used:,}" + (f" ({'; '.join(notes)})" if notes else "")
