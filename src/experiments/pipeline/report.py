"""report.md of a pipeline run: one table of every variant, then each study with its findings and figure."""

from __future__ import annotations

from src.analysis import LayerTable
from src.experiments.figures import FigureFile
from src.experiments.grid.tables import COURSE_EPOCHS, data_caveat, variants_table
from src.experiments.image_batch import batch_words
from src.experiments.overfitting import overfitting_brief
from src.experiments.pipeline.findings import FINDINGS
from src.experiments.run_meta import RunMeta
from src.experiments.targets import epochs_trained, target_met, target_verdict
from src.experiments.wording import pct

COURSE_TARGET = 0.70  # the lab's goal for the improved pipeline on CIFAR-10
EXTRA_FIGURE = {"lr": "lr_sweep", "l2": "l2_sweep", "l1": "l1_weights"}  # besides each study's curves


def best_variant(results: dict) -> dict | None:
    trained = [v for v in results["variants"] if v["best_val"]]
    return max(trained, key=lambda v: v["best_val"]["acc"]) if trained else None


def target_text(results: dict) -> str:
    goal = f"at least {pct(COURSE_TARGET, 0)} validation accuracy on CIFAR-10 with an improved pipeline"
    winner = best_variant(results)
    if results["data"]["name"] != "cifar10":
        return f"The course's target, {goal}, is about CIFAR-10; this run used {results['data']['name']}."
    if winner is None:
        return f"The course's target, {goal}: no variant has a finite validation accuracy to judge it by."
    trained = epochs_trained(winner["history"])  # its own fit's epochs: another fit may have run longer
    reached, diverged = winner["best_val"]["acc"] >= COURSE_TARGET, winner["diverged_epoch"] is not None
    verdict = target_verdict(target_met(reached, trained, COURSE_EPOCHS, diverged), trained, COURSE_EPOCHS)
    return f"The course's target, {goal}: **{verdict}** (`{winner['name']}`, {pct(winner['best_val']['acc'])})."


def overfitting_line(members: list[dict], results: dict) -> str:
    """Each variant of a study by the one overfitting rule (src/experiments/overfitting.py)."""
    found = results["overfitting"]
    return (
        "Overfitting (the validation loss above its minimum while the training loss keeps falling): "
        + "; ".join(f"`{v['name']}`: {overfitting_brief(found[v['name']])}" for v in members)
        + "."
    )


def small_weights_table(l2: dict, l1: dict) -> str:
    a, b = l2["small_weights"], l1["small_weights"]
    lines = [f"| layer | L2: |w| < {a['threshold']:g} | L1: |w| < {b['threshold']:g} |", "|---|---|---|"]
    lines += [f"| {layer} | {pct(a['layers'][layer], 1)} | {pct(b['layers'][layer], 1)} |" for layer in a["layers"]]
    lines.append(f"| all | {pct(a['overall'], 1)} | {pct(b['overall'], 1)} |")
    return "\n".join(lines)


def fits_table(results: dict) -> str:
    lines = [
        "| fit | variants | mode | epochs | training | training per variant | with validation |",
        "|---|---|---|---|---|---|---|",
    ]
    for fit in results["fits"]:
        n, train = len(fit["variants"]), fit["train_seconds"]
        lines.append(
            f"| `fit-{fit['label']}` | {n} | {fit['mode']} | {fit['epochs']} | {train:.1f} s | {train / n:.1f} s "
            f"| {fit['seconds']:.1f} s |"
        )
    return "\n".join(lines)


def render_pipeline_report(results: dict, tables: dict[str, LayerTable], figures: dict[str, FigureFile]) -> str:
    data, config = results["data"], results["config"]
    variants = {v["name"]: v for v in results["variants"]}
    winner = best_variant(results)
    caveat = data_caveat(data)
    norm = config["normalized_with"]
    sizes = data["sizes"]
    headline = f"**{len(variants)} variants** in {len(results['fits'])} fits, {config['epochs']} epochs each" + (
        f"; the best is `{winner['name']}`: validation accuracy {pct(winner['best_val']['acc'])} at epoch "
        f"{winner['best_val']['epoch']}, test accuracy {pct(winner['test']['acc'] if winner['test'] else None)}."
        if winner
        else "."
    )
    if results["status"] == "interrupted":
        signal = RunMeta.of(results).signal
        headline = (
            f"**Interrupted** by {signal}: {len(variants)} of {len(variants) + len(results['untrained'])} variants "
            "trained (the last fit's without a test), partial results below. `pipeline` is not resumable: run it "
            "again to finish.\n\n" + headline
        )
    lines = [
        f"# The training pipeline: SimpleNNCifar variants on {data['name']}",
        "",
        headline,
        "",
        target_text(results),
        *(["", caveat] if caveat else []),
        "",
        "## Data and recipe",
        f"- {data['source']}: {sizes['train']:,} train / {sizes['val']:,} validation / {sizes['test']:,} test "
        f"images, {len(data['classes'])} classes; normalised ({config['normalization']}) with mean "
        f"{[round(v, 4) for v in norm['mean']]}, std {[round(v, 4) for v in norm['std']]}",
        f"- every variant: SGD (momentum {config['momentum']:g}), cross-entropy, {batch_words(config)}, "
        f"{config['epochs']} epochs, seed {config['seed']}, precision "
        f"{config['precision']} on {config['device']}; its best epoch by validation accuracy is tested and saved "
        "(checkpoints/<variant>.pt)",
        "- every variant starts from the same initial weights (one seed; batch norm adds only its scale 1 and "
        "shift 0), sees the same batches in the same order, and augmented ones the same crops and flips",
        "",
        "## All variants",
        "",
        variants_table(results),
        "",
    ]
    for number, study in enumerate(results["studies"], start=1):
        lines += [f"## {number}. {study['title']}", "", study["question"], ""]
        missing = [name for name in study["variants"] if name not in variants]
        if missing:
            lines += [f"Not trained (the run was interrupted first): {', '.join(f'`{n}`' for n in missing)}.", ""]
            continue
        members = [variants[name] for name in study["variants"]]
        lines.append(variants_table(results, study["variants"]))
        findings = [*FINDINGS[study["key"]](members, results), overfitting_line(members, results)]
        lines += ["", *[f"- {sentence}" for sentence in findings], ""]
        if study["key"] == "l1":
            lines += [small_weights_table(*members), ""]
        for key in (f"study_{study['key']}", EXTRA_FIGURE.get(study["key"], "")):
            if key in figures:
                lines += [f"![{figures[key].title}]({figures[key].path})", ""]
    lines += ["## Models", ""]
    for architecture, table in tables.items():
        lines += [f"`{architecture}`:", "", table.to_markdown(), ""]
    lines += [
        "## Time",
        "",
        f"Variants with one architecture train side by side in one fit ({config['side_by_side']}). Training: the "
        "fit's epochs without their validation; with validation: the whole fit, each epoch's validation included "
        "(not the validation before training or the test after it).",
        "",
        fits_table(results),
        "",
        "## TensorBoard",
        "",
        "Each variant is a sub-run of this run directory, named as in the tables: its `train/*` and `val/*` "
        "curves overlay the others', its weight and gradient histograms (`weights/<layer>`, `grads/<layer>`) too, "
        "and the HParams tab lists every variant with its settings and `hparams/best_val_acc`, "
        "`hparams/test_acc`, `hparams/final_train_acc` and `hparams/gap`, to sort and compare. The layer tables "
        "are under each `fit-<architecture>` run.",
        "",
    ]
    return "\n".join(lines)
