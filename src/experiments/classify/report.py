"""report.md of a classification run, written from its results dict and layer table."""

from __future__ import annotations

from src.analysis import LayerTable
from src.experiments.figures import FigureFile
from src.experiments.image_batch import batch_words
from src.experiments.run_meta import RunMeta
from src.experiments.scores import BestEpoch, TestScore
from src.experiments.tables import history_table
from src.experiments.wording import pct


def render_classify_report(results: dict, table: LayerTable, figures: dict[str, FigureFile]) -> str:
    data, config, test, best = results["data"], results["config"], TestScore.of(results), BestEpoch.of(results)
    sizes = data["sizes"]
    model = results["model"]
    relu_note = (
        "without the ReLU after fc2 that Table 1 has: a classifier's outputs are logits, which must be able to "
        "go negative (a ReLU would clamp every class score at 0 and the cross-entropy could not push wrong "
        "classes down)"
        if model["final_relu"] is False
        else "as given"
    )
    mean = [round(v, 4) for v in config["normalization"]["mean"]]
    std = [round(v, 4) for v in config["normalization"]["std"]]
    momentum = f", momentum {config['momentum']:g}" if config["optimizer"] == "sgd" else ""  # adam has none
    if test is not None:
        headline = (
            f"**Test accuracy {pct(test.acc)}** (loss {test.loss:.4f}) of the best epoch: validation "
            f"accuracy {pct(best.acc)} at epoch {best.epoch} of {config['epochs']}."
        )
    else:
        meta = RunMeta.of(results)
        done = f"after {len(results['history'])} of {config['epochs']} epochs" if results["history"] else "in epoch 1"
        resume = meta.resume_command(results["experiment"])
        headline = (
            f"**Interrupted** by {meta.signal} {done}: partial results below, no test yet. Resume with `{resume}`."
        )
    lines = [
        f"# Classification: {model['name']} on {data['name']}",
        "",
        headline,
        "",
        "## Data",
        f"- {data['source']}",
        f"- {sizes['train']:,} train / {sizes['val']:,} validation / {sizes['test']:,} test images of shape "
        f"{' x '.join(str(s) for s in data['image_shape'])}, {len(data['classes'])} classes",
        f"- normalised per channel with the training set's mean {mean} and std {std}"
        + ("; random crop (4-pixel padding) and horizontal flip during training" if config["augment"] else ""),
        "",
        "## Model",
        f"{model['name']} {relu_note}.",
        "",
        table.to_markdown(),
        "",
        "## Training",
        f"- {config['optimizer']} (lr {config['lr']:g}{momentum}, weight decay {config['weight_decay']:g}), "
        f"lr decay {config['lr_decay']}, {batch_words(config)}, seed {config['seed']}, "
        f"precision {config['precision']} on {config['device']}",
        "",
        history_table(results["history"]),
        "",
        "## Figures",
        "",
        *(
            [f"![learning curves]({figures['learning_curves'].path})"]
            if "learning_curves" in figures
            else ["(none yet)"]
        ),
        "",
    ]
    return "\n".join(lines)
