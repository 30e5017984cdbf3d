"""The six studies of the course's training-pipeline lab, as variants of its recipe (torch-free)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from src.experiments.grid import Variant
from src.experiments.pipeline.config import PipelineConfig


@dataclass(frozen=True)
class Study:
    key: str  # its --variants name
    title: str
    question: str
    variants: tuple[Variant, ...]


def baseline(cfg: PipelineConfig) -> Variant:
    """The course's recipe: no augmentation, no batch norm, ReLU, SGD at --lr with L2 --weight-decay."""
    return Variant(lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)


def pipeline_studies(cfg: PipelineConfig) -> list[Study]:
    """The selected studies (--variants), in the order the lab asks them. Each changes one thing from the
    setting the lab names for it, else from the baseline, so a variant may belong to several studies."""
    base = baseline(cfg)
    bn = replace(base, batch_norm=True)
    larger = [pair for lr in cfg.bn_lrs for pair in (replace(base, lr=lr), replace(bn, lr=lr))]
    swish_relu = replace(bn, lr=cfg.swish_lr)
    studies = {
        "augmentation": Study(
            "augmentation",
            "Augmentation",
            "Does random cropping (4-pixel padding) with horizontal flips help?",
            (base, replace(base, augment=True)),
        ),
        "batchnorm": Study(
            "batchnorm",
            "Batch normalisation",
            f"Does batch norm after each convolution help at lr {cfg.lr:g}, and does it allow a larger rate?",
            (base, bn, *larger),
        ),
        "swish": Study(
            "swish",
            "Swish",
            "Does Swish, x * sigmoid(x), in place of every ReLU beat ReLU (both with batch norm, lr "
            f"{cfg.swish_lr:g})?",
            (swish_relu, replace(swish_relu, activation="swish")),
        ),
        "lr": Study(
            "lr",
            "Learning rate",
            "Which learning rate is best with augmentation and batch norm?",
            tuple(replace(base, augment=True, batch_norm=True, lr=lr) for lr in cfg.lrs),
        ),
        "l2": Study(
            "l2",
            "L2 regularisation",
            f"Which L2 weight decay is best at lr {cfg.lr:g}?",
            tuple(replace(base, weight_decay=wd) for wd in cfg.weight_decays),
        ),
        "l1": Study(
            "l1",
            "L1 instead of L2",
            f"What does an L1 penalty ({cfg.l1:g}) do instead of L2 ({cfg.weight_decay:g}), to accuracy and to the "
            "weights?",
            (base, replace(base, weight_decay=0.0, l1=cfg.l1)),
        ),
    }
    return [studies[key] for key in cfg.variants]


def distinct_variants(studies: list[Study]) -> list[Variant]:
    """Every variant of the studies once, in order of first appearance."""
    return list(dict.fromkeys(variant for study in studies for variant in study.variants))
