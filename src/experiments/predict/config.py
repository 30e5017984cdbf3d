"""The options of `predict`: which run, which images, where the predictions go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from src.config import AtLeast, Metavar, Options, Verbatim
from src.config.paths import CIFAR10
from src.config.run import Accelerator
from src.errors import UserError


@dataclass(frozen=True)
class PredictConfig(Options):
    """Prediction"""

    run: Annotated[Path | None, Metavar("RUN")] = None
    """the run directory of an image classifier (classify, resnet, cifar, pipeline) or of sentiment; also the
    first word after `predict`"""
    text: Annotated[tuple[str, ...] | None, Verbatim(), Metavar("TEXT")] = None
    """sentiment runs: reviews to classify, one per word (quote each: --text "a gem" "a mess")"""
    text_file: Annotated[Path | None, Metavar("FILE")] = None
    """sentiment runs: a UTF-8 file of reviews to classify, one per line"""
    data_dir: Annotated[str | None, Metavar("DIR")] = None
    """the images: 'cifar10' (CIFAR-10's test batch, fetched into the cache on first use), a CIFAR-10 archive or
    folder (its test_batch), a folder holding a test batch, or the batch file itself; labels may be missing (a
    hidden test set); default: the run's own test split"""
    variant: str | None = None
    """the variant of a cifar or pipeline run (checkpoints/<variant>.pt), or the preset of a sentiment run
    (default: the best by validation accuracy)"""
    output: Annotated[Path | None, Metavar("FILE")] = None
    """the .csv to write, with its .json beside it (images: default RUN/predictions.csv, or predictions-2.csv,
    ... when taken; texts: printed, and written only to --output); never overwritten"""
    batch_size: Annotated[int, AtLeast(1)] = 1000
    """images or texts per forward pass"""
    accelerator: Accelerator = "auto"
    """where to compute: auto takes a GPU when there is one, else the CPU"""

    def check(self) -> None:
        super().check()
        if self.data_dir is not None and self.data_dir != CIFAR10 and not Path(self.data_dir).exists():
            raise UserError(f"--data-dir {self.data_dir}: no such directory (nor a test batch file)")
        if self.text_file is not None and not self.text_file.is_file():
            problem = "a directory, not a file" if self.text_file.is_dir() else "no such file"
            raise UserError(f"--text-file {self.text_file}: {problem}")
        if self.run is None:
            raise UserError(
                "predict needs a run: train.py predict RUN [--data-dir DIR | --text TEXT ...] "
                "(RUN: runs/resnet/version_0, runs/sentiment/version_0)"
            )
        if self.run.is_file():
            raise UserError(f"{self.run}: a file; predict takes the run directory that holds checkpoints/")
        if not self.run.is_dir():
            raise UserError(f"{self.run}: no such run directory")
        if self.output is not None:
            if not self.output.parent.is_dir():
                raise UserError(f"--output {self.output}: no such directory {self.output.parent}")
            if self.output.suffix.lower() != ".csv":
                raise UserError(f"--output {self.output}: expected a .csv file (its .json goes beside it)")
            for taken in (self.output, self.output.with_suffix(".json")):
                if taken.exists():
                    raise UserError(
                        f"--output {self.output}: {taken} exists already; predictions never overwrite a file"
                    )
