"""report.md of a cifar run: the lab's questions answered from the run's own numbers."""

from __future__ import annotations

from src.analysis import LayerTable
from src.experiments.figures import FigureFile
from src.experiments.grid.tables import data_caveat, variants_table
from src.experiments.image_batch import batch_words
from src.experiments.overfitting import overfitting_text
from src.experiments.run_meta import RunMeta
from src.experiments.tables import history_table
from src.experiments.targets import target_verdict
from src.experiments.wording import pct, points

SAME = 0.001  # accuracy differences below 0.1 points are called equal
AGREE = 0.1  # an initial loss within 0.1 of ln C agrees with it


def initial_loss_text(initial: dict) -> str:
    c, reference, measured = initial["classes"], initial["ln_classes"], initial["val_loss"]
    said = (
        f"Before any training step, the validation loss is **{measured:.4f}**; ln {c} = {reference:.4f} "
        f"(difference {initial['difference']:+.4f}), and the untrained network answers {pct(initial['val_acc'])} "
        f"correctly (chance: {pct(1 / c)})."
    )
    if abs(initial["difference"]) <= AGREE:
        return (
            f"{said} They agree because freshly initialised weights are small (PyTorch draws them within "
            f"1/sqrt(fan-in)), so the logits are small and nearly equal: the softmax gives each of the {c} classes "
            f"a probability close to 1/{c}, and the cross-entropy of the true class is then -ln(1/{c}) = ln {c}."
        )
    return (
        f"{said} They differ by more than {AGREE}: the initial logits are not close to equal here, so the "
        "untrained network is already confident (rightly or wrongly) about some classes."
    )


def decay_text(constant: dict, decayed: dict, found: dict) -> str:
    settings = decayed["settings"]
    rates = [row["train/lr"] for row in decayed["history"] if row.get("train/lr") is not None]
    every = f"the rate multiplied by {settings['decay_factor']:g} every {settings['decay_every']} epochs"
    if not rates or rates[-1] == settings["lr"]:
        return (
            f"With {every}, the rate never changes within these {len(rates)} epochs: the two runs are the same "
            "run (train for more epochs than --decay-every to compare them)."
        )
    schedule = f"With {every} ({settings['lr']:g} down to {rates[-1]:.4g} in the last epoch)"
    a, b = constant["best_val"], decayed["best_val"]
    if a is None or b is None:
        return f"{schedule}: no comparison, one of the runs has no finite validation epoch."
    difference = b["acc"] - a["acc"]
    verdict = (
        "the same best validation accuracy"
        if abs(difference) < SAME
        else ("a higher" if difference > 0 else "a lower") + f" best validation accuracy ({points(difference)})"
    )
    lowest = [(found[v["name"]] or {}).get("lowest_epoch", "—") for v in (decayed, constant)]
    gaps = decayed["final"], constant["final"]
    gap_text = (
        f"; final train - validation gap {points(gaps[0]['gap'])} vs {points(gaps[1]['gap'])}" if all(gaps) else ""
    )
    return (
        f"{schedule}, the run reaches {verdict}: {pct(b['acc'])} at epoch {b['epoch']} against {pct(a['acc'])} at "
        f"epoch {a['epoch']} with a constant rate. Its validation loss is lowest at epoch {lowest[0]} (constant: "
        f"{lowest[1]}){gap_text}."
    )


def target_text(target: dict, best: dict | None, data_name: str) -> str:
    goal = f"at least {pct(target['target'], 0)} validation accuracy on CIFAR-10"
    if not target["applies"]:
        return f"The course's target, {goal}, is about CIFAR-10; this run used {data_name}."
    verdict = target_verdict(target["met"], target["epochs"], target["recipe_epochs"])
    return f"The course's target, {goal}: **{verdict}** ({pct(best['acc'] if best else None)})."


def render_cifar_report(results: dict, table: LayerTable, figures: dict[str, FigureFile]) -> str:
    data, config = results["data"], results["config"]
    variants = {v["name"]: v for v in results["variants"]}
    constant, decayed = (variants.get(results["roles"][role]) for role in ("constant", "decay"))
    sizes = data["sizes"]
    norm = config["normalized_with"]
    best = constant["best_val"] if constant else None
    test = constant["test"] if constant else None
    headline = (
        f"**Best validation accuracy {pct(best['acc'] if best else None)}** at epoch "
        f"{best['epoch'] if best else '—'} of {config['epochs']} with the course's recipe; test accuracy of that "
        f"epoch {pct(test['acc'] if test else None)}."
    )
    caveat = data_caveat(data)
    if results["status"] == "interrupted":
        signal = RunMeta.of(results).signal
        headline = (
            f"**Interrupted** by {signal}: partial results below, no test. `cifar` is not resumable: run it again "
            "to finish.\n\n" + headline
        )
    side_by_side = (
        "each in a fit of its own"
        if config["side_by_side"] == "off"
        else f"side by side in one fit ({config['side_by_side']})"
    )
    lines = [
        f"# CIFAR-10, the course's way: SimpleNNCifar on {data['name']}",
        "",
        headline,
        "",
        *([target_text(results["course_target"], best, data["name"]), ""] if results["course_target"] else []),
        *([caveat, ""] if caveat else []),
        "## Data",
        f"- {data['source']}",
        f"- {sizes['train']:,} train / {sizes['val']:,} validation (a seeded split) / {sizes['test']:,} test images "
        f"of shape {' x '.join(str(s) for s in data['image_shape'])}, {len(data['classes'])} classes",
        f"- normalised per channel ({config['normalization']}): mean {[round(v, 4) for v in norm['mean']]}, "
        f"std {[round(v, 4) for v in norm['std']]}; no augmentation",
        "",
        "## Model",
        "conv 5x5 -> 8, ReLU, max-pool 2 -> conv 3x3 -> 16, ReLU, max-pool 2 -> FC 576 -> 120, ReLU -> FC 120 -> 84, "
        "ReLU -> FC 84 -> 10 (logits); no padding, biases everywhere.",
        "",
        table.to_markdown(),
        "",
        "## Recipe",
        f"- SGD, lr {config['lr']:g}, momentum {config['momentum']:g}, L2 weight decay {config['weight_decay']:g}; "
        f"cross-entropy; {batch_words(config)}; "
        f"{config['epochs']} epochs; seed {config['seed']}; precision {config['precision']} on {config['device']}",
        f"- the best epoch by validation accuracy is kept (checkpoints/<run>.pt) and tested; both runs train "
        f"{side_by_side} from the same initial weights",
        "",
    ]
    if constant is None:
        return "\n".join([*lines, "Interrupted before the first training step: nothing was trained.", ""])
    lines += [
        "## Before training: the initial loss",
        initial_loss_text(results["initial_loss"]),
        "",
        "## Train vs validation accuracy, and overfitting",
        overfitting_text(results["overfitting"][constant["name"]]),
        "",
        history_table(constant["history"]),
        "",
        "## Bonus: learning-rate decay",
        "Not trained: the run was interrupted first."
        if decayed is None
        else decay_text(constant, decayed, results["overfitting"]),
        "",
        variants_table(results),
        "",
        "In TensorBoard the runs are sub-runs of this run directory ("
        + ", ".join(f"`{name}`" for name in variants)
        + "): their `train/*` and `val/*` curves overlay, `train/lr` shows the schedule.",
        "",
        "## Figures",
        "",
        *[f"![{figure.title}]({figure.path})" for figure in figures.values()],
        "",
    ]
    return "\n".join(lines)
