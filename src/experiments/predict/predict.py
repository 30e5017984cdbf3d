"""predict: label every test image with a run's best model; predictions.csv (Id,Label) and predictions.json."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from src.atomic import write_atomic
from src.data import load_image_splits
from src.data.prediction_images import PredictionImages, read_prediction_images
from src.errors import UserError
from src.experiments.confusion import confusion_results
from src.experiments.predict.config import PredictConfig
from src.experiments.predict.predict_reviews import predict_reviews
from src.experiments.predict.trained_model import TrainedModel, load_trained_model, run_results
from src.experiments.predict.trained_reviewer import is_sentiment_run
from src.experiments.wording import pct
from src.shell import shown_path


def predict(cfg: PredictConfig) -> dict:
    """Write the predictions and return what predictions.json holds (a sentiment run: classify texts)."""
    if is_sentiment_run(cfg.run):
        return predict_reviews(cfg, choose_device(cfg))
    if cfg.text is not None or cfg.text_file is not None:
        raise UserError(f"--text and --text-file classify reviews with a sentiment run; {cfg.run} is not one")
    trained = load_trained_model(cfg.run, cfg.variant)
    test = own_test_split(cfg.run) if cfg.data_dir is None else read_prediction_images(cfg.data_dir)
    check_fits(trained, test)
    device = choose_device(cfg)
    labels = predicted_labels(trained, test.images, cfg.batch_size, device)
    csv_path = cfg.output or free_name(cfg.run / "predictions.csv")
    summary = {
        "run": str(cfg.run),
        "checkpoint": str(trained.checkpoint),
        "model": trained.description,
        "images": {"source": test.source, "count": len(labels), "labelled": test.labels is not None},
        "classes": list(trained.classes),
        "predictions": str(csv_path),
        "accuracy": None,
        "confusion": None,
    }
    if test.labels is not None:
        matrix = torch.zeros(len(trained.classes), len(trained.classes), dtype=torch.int64)
        matrix.index_put_((test.labels, labels), torch.ones_like(labels), accumulate=True)
        confusion = confusion_results(matrix.tolist(), trained.classes)
        summary["accuracy"], summary["confusion"] = confusion["accuracy"], confusion
    rows = "".join(f"{index},{label}\n" for index, label in enumerate(labels.tolist()))
    write_atomic(csv_path, "Id,Label\n" + rows)
    write_atomic(csv_path.with_suffix(".json"), json.dumps(summary, indent=2) + "\n")
    print(console_lines(summary, test))
    if run_results(cfg.run).get("status") == "interrupted":
        print(f"note: {shown_path(cfg.run)} was interrupted: its best checkpoint so far was used")
    return summary


def own_test_split(run_dir: Path) -> PredictionImages:
    """The test split of the data the run trained on, rebuilt from its config.json (data and seed)."""
    try:
        config = json.loads((run_dir / "config.json").read_text())
    except (OSError, ValueError) as exc:
        raise UserError(f"{run_dir}: cannot read config.json ({exc}); give the images with --data-dir") from None
    if "data_dir" not in config:
        raise UserError(f"{run_dir}: not an image classifier run (its config.json names no --data-dir)")
    splits = load_image_splits(config["data_dir"], int(config.get("seed", 0)))
    images, labels = splits.test
    return PredictionImages(images, labels, f"the run's own test split ({splits.name}, seed {config.get('seed', 0)})")


def check_fits(trained: TrainedModel, test: PredictionImages) -> None:
    channels = test.images.shape[1]
    if channels != trained.in_channels:
        raise UserError(f"{test.source}: images with {channels} channels; the model takes {trained.in_channels}")
    if test.labels is not None and len(test.labels) and int(test.labels.max()) >= len(trained.classes):
        raise UserError(
            f"{test.source}: label {int(test.labels.max())} is beyond the model's {len(trained.classes)} classes"
        )


def choose_device(cfg: PredictConfig) -> torch.device:
    cuda = torch.cuda.is_available()
    if cfg.accelerator in ("gpu", "cuda") and not cuda:
        raise UserError(f"--accelerator {cfg.accelerator}: no CUDA GPU was found on this machine")
    if cfg.accelerator == "mps":
        if not torch.backends.mps.is_available():
            raise UserError("--accelerator mps: no Apple GPU (MPS) was found on this machine")
        return torch.device("mps")
    return torch.device("cuda" if cuda and cfg.accelerator != "cpu" else "cpu")


@torch.no_grad()
def predicted_labels(
    trained: TrainedModel, images: torch.Tensor, batch_size: int, device: torch.device
) -> torch.Tensor:
    """argmax of the model's logits for every image, in order: (N,) int64 on the CPU. Pixels are prepared as
    in training: / 255, then normalised per channel with the run's own mean and std."""
    model = trained.model.to(device)
    dtype = next(model.parameters()).dtype
    mean, std = (t.to(device, dtype)[:, None, None] for t in (trained.mean, trained.std))
    out = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size].to(device).to(dtype).div_(255.0)  # (B, C, H, W)
        out.append(model((batch - mean) / std).argmax(dim=1).cpu())
    return torch.cat(out)


def free_name(path: Path) -> Path:
    """`path`, or the first of path-2, path-3, ... (same suffix) that exists with neither its .csv nor .json."""
    candidate, number = path, 1
    while candidate.exists() or candidate.with_suffix(".json").exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def console_lines(summary: dict, test: PredictionImages) -> str:
    images = summary["images"]
    lines = [
        f"{images['count']:,} images of {test.source}, predicted by {summary['model']}",
        f"predictions: {shown_path(Path(summary['predictions']))} (Id,Label; one row per image, in file order)",
    ]
    if summary["accuracy"] is None:
        lines.append("the images have no labels: accuracy cannot be computed")
    else:
        confusion = summary["confusion"]
        correct = sum(confusion["matrix"][k][k] for k in range(len(confusion["matrix"])))
        lines.append(f"test accuracy {pct(summary['accuracy'])} ({correct:,} of {images['count']:,})")
    return "\n".join(lines)
