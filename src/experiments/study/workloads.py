"""What each part of the full study trains, counted before anything runs: its workloads (one training step of a
model at a batch size) and how many steps of each, from its config and its data's size (see estimate.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from src.config import Machine
from src.config.paths import IMDB
from src.experiments.sentiment.presets import PresetSettings

CIFAR10_TRAINING_IMAGES = 50_000  # of which src/data/cifar10.py holds out VAL_FRACTION for validation
IMDB_REVIEWS_PER_CLASS = 12_500  # aclImdb's 25,000 training reviews, of which VAL_OF_TRAIN are held out
IMDB_VOCABULARY = 30_000  # about: the words of IMDB's training reviews seen at least 5 times
IMAGE_SHAPE = (3, 32, 32)
IMAGE_CLASSES = 10
GPT2_VOCABULARY = 50_257
# SmolLM2-135M's architecture (its config.json): the model the lab fine-tunes, built here with random weights.
SMOLLM2_CONFIG = dict(
    vocab_size=49152,
    hidden_size=576,
    intermediate_size=1536,
    num_hidden_layers=30,
    num_attention_heads=9,
    num_key_value_heads=3,
    max_position_embeddings=8192,
    tie_word_embeddings=True,
)


# ---- what one training step is: the workloads timed ----


@dataclass(frozen=True)
class ImageWorkload:
    """One step of an image classifier on a batch of 3 x 32 x 32 images."""

    model: str  # "SimpleNN", "SimpleNNCifar" or "ResNet-20"
    batch: int
    optimizer: str = "sgd"  # "sgd" (with momentum) or "adam"
    batch_norm: bool = False  # SimpleNNCifar's options
    activation: str = "relu"
    channels_last: bool = True
    precision: str = "32-true"


@dataclass(frozen=True)
class RNNWorkload:
    """One step of a sentiment preset's RNN on a batch (its batch size) of reviews of `tokens` tokens each."""

    settings: PresetSettings  # the preset's network and batch size, as the lab trains it
    tokens: int
    vocabulary: int

    @property
    def batch(self) -> int:
        return self.settings.batch_size


@dataclass(frozen=True)
class LMWorkload:
    """One optimizer step of a causal LM: `blocks` blocks of `block_size` tokens (forward and backward, in
    batches of `batch`), then gradient clipping and AdamW's update."""

    model: str  # "gpt2", "smollm2" or "gpt2-tiny"
    block_size: int
    blocks: int  # per optimizer step: batch size x gradient accumulation
    batch: int  # blocks per forward pass
    precision: str = "32-true"


Workload = ImageWorkload | RNNWorkload | LMWorkload


@dataclass(frozen=True)
class PartPlan:
    """A part's training as workloads and their step counts (before anything is timed)."""

    experiment: str
    label: str
    runs: tuple[tuple[Workload, int], ...]  # (one step, how many of them)
    note: str = ""

    @property
    def steps(self) -> int:
        return sum(steps for _, steps in self.runs)


# ---- counting steps ----


def machine_of(device: torch.device) -> Machine:
    """The machine configs resolve 'auto' against, as it will be for a run on `device`."""
    cuda = device.type == "cuda"
    return Machine(cuda=cuda, bf16=cuda and torch.cuda.is_bf16_supported(), mps=device.type == "mps")


def cifar10_train_images() -> int:
    from src.data.cifar10 import VAL_FRACTION

    return CIFAR10_TRAINING_IMAGES - round(VAL_FRACTION * CIFAR10_TRAINING_IMAGES)


def image_train_images(data_dir: str, seed: int) -> int:
    """Training images of --data-dir: CIFAR-10's 45,000 (by name or a copy of it), the embedded digits' count."""
    if data_dir != "embedded":
        return cifar10_train_images()
    from src.data import load_image_splits

    return len(load_image_splits(data_dir, seed).train[1])


def review_train_count(data: str, seed: int) -> int:
    """Training reviews of --data: aclImdb's 25,000 less its validation share, else counted from the data."""
    if data == IMDB:
        from src.data.text.imdb import VAL_OF_TRAIN

        return 2 * (IMDB_REVIEWS_PER_CLASS - round(VAL_OF_TRAIN * IMDB_REVIEWS_PER_CLASS))
    from src.data.text.sources import load_reviews

    return len(load_reviews(data, seed).train.labels)


IMAGE_NOTE = "training steps only: validation each epoch, the test and data preparation not timed"


def image_plan(experiment: str, cfg: Any, fits: int, what: str, model: str, note: str, **options: Any) -> PartPlan:
    """`fits` fits of `cfg.epochs` epochs of an image classifier on the training images (the last batch of an
    epoch may be smaller: still a step)."""
    per_epoch = math.ceil(image_train_images(cfg.data_dir, cfg.seed) / cfg.batch_size)
    workload = ImageWorkload(model, cfg.batch_size, channels_last=cfg.channels_last, precision=cfg.precision, **options)
    label = f"{model}, {what}{cfg.epochs} epochs x {per_epoch:,} batches of {cfg.batch_size}"
    return PartPlan(experiment, label, ((workload, fits * cfg.epochs * per_epoch),), note)


def simplenn_plan(cfg: Any) -> PartPlan:
    from src.experiments.simplenn.steps import INIT_RUNS

    fits = len(INIT_RUNS)
    return image_plan("simplenn", cfg, fits, f"{fits} inits x ", "SimpleNN", IMAGE_NOTE, optimizer=cfg.optimizer)


def classify_plan(cfg: Any) -> PartPlan:
    return image_plan("classify", cfg, 1, "", "SimpleNN", IMAGE_NOTE, optimizer=cfg.optimizer)


def cifar_plan(cfg: Any) -> PartPlan:
    from src.experiments.cifar.steps import cifar_variants

    fits = len(cifar_variants(cfg))
    return image_plan("cifar", cfg, fits, f"{fits} variants x ", "SimpleNNCifar", IMAGE_NOTE)


def pipeline_plan(cfg: Any) -> PartPlan:
    """Every distinct variant as a fit of its own, timed with its own architecture (batch norm, activation)."""
    from src.experiments.pipeline.studies import distinct_variants, pipeline_studies

    variants = distinct_variants(pipeline_studies(cfg))
    per_epoch = math.ceil(image_train_images(cfg.data_dir, cfg.seed) / cfg.batch_size)
    runs: dict[ImageWorkload, int] = {}
    for variant in variants:
        workload = ImageWorkload(
            "SimpleNNCifar",
            cfg.batch_size,
            batch_norm=variant.batch_norm,
            activation=variant.activation,
            channels_last=cfg.channels_last,
            precision=cfg.precision,
        )
        runs[workload] = runs.get(workload, 0) + cfg.epochs * per_epoch
    label = (
        f"SimpleNNCifar, {len(variants)} variants x {cfg.epochs} epochs x {per_epoch:,} batches of {cfg.batch_size} "
        "(upper estimate)"
    )
    note = (
        "upper estimate: every variant counted as a fit of its own (variants sharing an architecture train side "
        f"by side in one fit); {IMAGE_NOTE}"
    )
    return PartPlan("pipeline", label, tuple(runs.items()), note)


def resnet_plan(cfg: Any) -> PartPlan:
    from src.experiments.resnet.config import training_length

    iterations = training_length(cfg, image_train_images(cfg.data_dir, cfg.seed))["iterations"]
    workload = ImageWorkload(
        f"ResNet-{cfg.depth}",
        cfg.batch_size,
        channels_last=cfg.channels_last,
        precision=cfg.precision,
    )
    label = f"ResNet-{cfg.depth}, {iterations:,} iterations of batch {cfg.batch_size}"
    note = IMAGE_NOTE + ("; timed uncompiled (the run compiles the network)" if cfg.compile == "on" else "")
    return PartPlan("resnet", label, ((workload, iterations),), note)


def sentiment_plan(cfg: Any) -> PartPlan:
    from src.experiments.sentiment.presets import preset_settings

    reviews = review_train_count(cfg.data, cfg.seed)
    runs, parts = [], []
    for preset in cfg.presets:
        s = preset_settings(cfg, preset)
        per_epoch = math.ceil(reviews / s.batch_size)
        workload = RNNWorkload(s, cfg.max_len, IMDB_VOCABULARY)
        runs.append((workload, s.epochs * per_epoch))
        parts.append(f"{preset} {s.epochs} epochs x {per_epoch:,} batches of {s.batch_size}")
    label = f"SentimentRNN, {' + '.join(parts)}, reviews of {cfg.max_len} tokens (upper estimate)"
    note = (
        f"upper estimate: every review timed at {cfg.max_len} tokens (real ones are often shorter, batched by "
        f"length), a vocabulary of about {IMDB_VOCABULARY:,} words; validation and test not timed"
    )
    return PartPlan("sentiment", label, tuple(runs), note)


def lm_architecture(model: str) -> str | None:
    """The architecture a --model value loads, where it is one of the known ones (built from its config)."""
    if model in ("smollm2", "gpt2-tiny"):
        return model
    if model in ("gpt2", "openai-community/gpt2"):
        return "gpt2"
    return None


def lm_plan(cfg: Any, machine: Machine) -> PartPlan:
    from src.experiments.lm.fit import lm_precision

    architecture = lm_architecture(cfg.model)
    methods = len(cfg.methods)
    steps = methods * cfg.max_steps
    blocks = cfg.batch_size * cfg.accumulate
    shape = f"{cfg.batch_size} x {cfg.block_size} tokens" + (f" x {cfg.accumulate}" if cfg.accumulate > 1 else "")
    label = f"lm: {cfg.model}, {methods} x {cfg.max_steps} steps of {shape}"
    if architecture is None:
        note = f"not estimated: --model {cfg.model} is not one whose size is known before it is loaded"
        return PartPlan("lm", label + " (not timed)", (), note)
    on_cpu = not cfg.uses_gpu(machine)
    batch = 1 if on_cpu else cfg.batch_size  # a CPU takes seconds per block: one block timed, times the blocks
    workload = LMWorkload(architecture, cfg.block_size, blocks, batch, lm_precision(cfg, machine))
    notes, marks = [], []
    if on_cpu and blocks > 1:
        marks.append(f"1 block timed, x {blocks}")
        notes.append(f"forward and backward timed on 1 block and multiplied by {blocks}")
    if "lora" in cfg.methods:
        marks.append("LoRA timed as full")
        notes.append("LoRA timed as full fine-tuning (upper estimate)")
    label += f" ({'; '.join(marks)})" if marks else ""
    notes.append(
        "not timed: perplexity on the validation and test text before and after each fine-tuning, validation "
        f"every {cfg.val_every} steps, generation (on a CPU these forward passes may take as long as the training)"
    )
    return PartPlan("lm", label, ((workload, steps),), "; ".join(notes))


def plan_part(experiment: str, cfg: Any, machine: Machine) -> PartPlan:
    """The part's training as workloads and step counts, from its config resolved for `machine`."""
    if experiment == "lms-sweep":  # closed-form theory and a few thousand scalar updates: seconds
        return PartPlan(experiment, "LMS, a few seconds (not timed)", (), "not timed: too small to matter")
    cfg = cfg.resolved(machine)
    planners: dict[str, Callable[[Any], PartPlan]] = {
        "simplenn": simplenn_plan,
        "classify": classify_plan,
        "cifar": cifar_plan,
        "pipeline": pipeline_plan,
        "resnet": resnet_plan,
        "sentiment": sentiment_plan,
        "lm": lambda c: lm_plan(c, machine),
    }
    if experiment not in planners:
        return PartPlan(experiment, "not estimated", (), f"no estimate for the {experiment} experiment")
    return planners[experiment](cfg)
