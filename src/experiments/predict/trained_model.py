"""The trained network of an image classifier run, rebuilt from its checkpoint alone.

classify and resnet keep checkpoints/best.ckpt (Lightning; the ImageClassifier's hyperparameters name the model,
its options, the classes and the input normalisation); cifar and pipeline keep checkpoints/<variant>.pt, one per
variant (see src/experiments/grid/train.py). Both are read with torch.load(weights_only=True).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from src.callbacks.checkpointing import BEST, CHECKPOINTS
from src.errors import UserError
from src.experiments.scores import BestEpoch
from src.modules.image_models import IMAGE_MODELS, build_image_model


@dataclass(frozen=True)
class TrainedModel:
    model: nn.Module  # in eval mode, on the CPU, in the dtype it was saved in
    classes: tuple[str, ...]
    mean: torch.Tensor  # (C,) of pixel values / 255
    std: torch.Tensor
    checkpoint: Path
    description: str  # which epoch, for the console: "best.ckpt (epoch 3, validation accuracy 97.2 %)"

    @property
    def in_channels(self) -> int:
        return len(self.mean)


def load_trained_model(run_dir: Path, variant: str | None) -> TrainedModel:
    folder = run_dir / CHECKPOINTS
    if (folder / BEST).is_file():
        if variant is not None:
            raise UserError(
                f"--variant {variant}: {run_dir} is a run of one model (checkpoints/{BEST}); drop --variant"
            )
        return _checked(folder / BEST, lambda: _from_lightning(folder / BEST, run_results(run_dir)))
    variants = sorted(folder.glob("*.pt")) if folder.is_dir() else []
    if variants:
        path, checkpoint = _pick_variant(variants, variant)
        return _checked(path, lambda: _from_variant(path, checkpoint))
    raise UserError(
        f"{run_dir}: no {CHECKPOINTS}/{BEST} or {CHECKPOINTS}/<variant>.pt (predict needs a finished run of "
        "classify, resnet, cifar or pipeline)"
    )


def run_results(run_dir: Path) -> dict:
    """A run's results.json, or {} when it has none (yet) or it is not a JSON object."""
    try:
        results = json.loads((run_dir / "results.json").read_text())
    except (OSError, ValueError):
        return {}
    return results if isinstance(results, dict) else {}


def _checked(path: Path, load: Callable[[], TrainedModel]) -> TrainedModel:
    """`load()`, with a checkpoint whose contents are not what this project writes (a missing entry, a value of
    the wrong type, options the model refuses) reported in one line."""
    try:
        return load()
    except UserError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise UserError(f"{path}: not a checkpoint this project can use ({type(exc).__name__}: {exc})") from None


def load_checkpoint_dict(path: Path) -> dict:
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch.load fails in many ways; all mean "not a checkpoint we read"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: not a loadable checkpoint of this project ({first})") from None
    if not isinstance(checkpoint, dict):
        raise UserError(f"{path}: not a checkpoint of this project")
    return checkpoint


def _from_lightning(path: Path, results: dict) -> TrainedModel:
    checkpoint = load_checkpoint_dict(path)
    hparams = checkpoint.get("hyper_parameters") or {}
    name = hparams.get("model_name")
    if name not in IMAGE_MODELS or hparams.get("normalization") is None or hparams.get("classes") is None:
        raise UserError(
            f"{path}: its model cannot be rebuilt (a checkpoint from an earlier version of this project, or of "
            "a model given in code): train the run again with this version"
        )
    state = {k.removeprefix("model."): v for k, v in checkpoint["state_dict"].items() if k.startswith("model.")}
    best = BestEpoch.of(results)
    epoch = f"epoch {best.epoch}, validation accuracy {100 * best.acc:.2f} %" if best else "its best epoch"
    description = f"{path.name} ({epoch})"
    return _trained(
        path, name, hparams["model_options"], state, hparams["classes"], hparams["normalization"], description
    )


def _pick_variant(paths: list[Path], wanted: str | None) -> tuple[Path, dict]:
    """The variant asked for, or the one with the best validation accuracy (ties: the first in name order),
    with its loaded checkpoint; each file is read once."""
    by_name = {path.stem: path for path in paths}
    if wanted is not None:
        if wanted not in by_name:
            raise UserError(f"--variant {wanted}: no such variant in this run; it has {', '.join(by_name)}")
        return by_name[wanted], load_checkpoint_dict(by_name[wanted])
    best: tuple[float, Path, dict] | None = None
    for path in paths:
        checkpoint = load_checkpoint_dict(path)
        accuracy = checkpoint.get("val_acc")
        score = accuracy if isinstance(accuracy, float) else 0.0
        if best is None or score > best[0]:
            best = (score, path, checkpoint)
    return best[1], best[2]


def _from_variant(path: Path, checkpoint: dict) -> TrainedModel:
    if checkpoint.get("model") not in IMAGE_MODELS or "state_dict" not in checkpoint:
        raise UserError(f"{path}: not a variant checkpoint of this project (no model name or weights)")
    accuracy = checkpoint.get("val_acc")
    shown = "—" if accuracy is None else f"{100 * accuracy:.2f} %"
    description = f"variant {path.stem} (epoch {checkpoint.get('epoch')}, validation accuracy {shown})"
    return _trained(
        path,
        checkpoint["model"],
        checkpoint["model_options"],
        checkpoint["state_dict"],
        checkpoint["classes"],
        checkpoint["normalization"],
        description,
    )


def _trained(
    path: Path,
    name: str,
    options: dict,
    state: dict[str, torch.Tensor],
    classes: list[str],
    normalization: dict,
    description: str,
) -> TrainedModel:
    """The model `name(**options)` with the checkpoint's weights, in their dtype and eval mode, and what
    predict needs besides: the classes and the input normalisation."""
    model = build_image_model(name, options)
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise UserError(f"{path}: its weights do not fit {name}({options}): {str(exc).splitlines()[0]}") from None
    dtype = next((t.dtype for t in state.values() if t.is_floating_point()), torch.float32)
    mean, std = (torch.tensor(normalization[key]) for key in ("mean", "std"))
    return TrainedModel(model.to(dtype).eval(), tuple(classes), mean, std, path, description)
