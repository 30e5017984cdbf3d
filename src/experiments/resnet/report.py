"""report.md of a resnet run: the best epoch and its test, per class, the schedule, the layers and the time."""

from __future__ import annotations

from src.analysis import LayerTable
from src.experiments.confusion import confusion_markdown, most_confused
from src.experiments.figures import FigureFile
from src.experiments.grid.tables import data_caveat
from src.experiments.image_batch import batch_words
from src.experiments.run_meta import RunMeta
from src.experiments.scores import BestEpoch, TestScore
from src.experiments.tables import history_table
from src.experiments.targets import target_verdict
from src.experiments.wording import pct, points

LONG_HISTORY = 30  # epochs; a longer table goes into a collapsed section


def headline(results: dict) -> str:
    best, test, schedule = BestEpoch.of(results), TestScore.of(results), results["schedule"]
    if results["status"] == "interrupted":
        meta = RunMeta.of(results)
        resume, signal = meta.resume_command(results["experiment"]), meta.signal
        done = f"after {len(results['history'])} of {schedule['epochs']} epochs" if results["history"] else ""
        return f"**Interrupted** by {signal} {done}: partial results below, no test yet. Resume with `{resume}`."
    return (
        f"**Test accuracy {pct(test.acc)}** (loss {test.loss:.4f}) of the best epoch: validation accuracy "
        f"{pct(best.acc)} at epoch {best.epoch} of {schedule['epochs']} ({schedule['iterations']:,} iterations)."
    )


def paper_comparison(paper: dict, test: TestScore | None, data_name: str) -> str:
    """How this run's test accuracy stands against the paper's: only on CIFAR-10 and after the paper's length."""
    if data_name != "cifar10":
        return f"; this run used {data_name}, so it does not compare."
    if not paper["comparable"]:
        return f"; **{target_verdict(None, paper['iterations'], paper['recipe_iterations'], 'iterations')}**."
    if test is None:
        return "; this run has no test yet."
    return f"; this run: {pct(test.acc)} ({points(test.acc - paper['test_acc'])})."


def reference_lines(results: dict) -> list[str]:
    paper, target, data = results["paper"], results["course_target"], results["data"]
    lines = []
    if paper is not None:
        lines.append(
            f"- He et al. (2016), Table 6 (option A shortcuts): ResNet-{paper['depth']} reaches "
            f"{pct(paper['test_acc'])} test accuracy ({pct(paper['test_error'])} error) on CIFAR-10 after "
            f"{paper['recipe_iterations']:,} iterations" + paper_comparison(paper, TestScore.of(results), data["name"])
        )
    goal = f"more than {pct(target['val_acc'], 0)} validation accuracy within {target['max_epochs']} epochs"
    if target["applies"]:
        verdict = target_verdict(target["met"], target["epochs"], target["recipe_epochs"])
        lines.append(f"- The course's target, {goal}: **{verdict}**.")
    else:
        lines.append(f"- The course's target, {goal}, is about CIFAR-10; this run used {data['name']}.")
    return lines


def schedule_lines(results: dict) -> list[str]:
    schedule, config = results["schedule"], results["config"]
    drops = ", ".join(
        f"{m:,} (epoch {e:.1f})" for m, e in zip(schedule["milestones"], schedule["milestone_epochs"], strict=True)
    )
    warmup = schedule["warmup_iterations"]
    return [
        f"- SGD, lr {config['lr']:g} (momentum {config['momentum']:g}, plain), L2 weight decay "
        f"{config['weight_decay']:g}; cross-entropy; {batch_words(config)}; seed {config['seed']}; precision "
        f"{config['precision']} on {config['device']}"
        + (", torch.compile" if config["compile"] == "on" else "")
        + (", channels_last" if config["channels_last"] else ""),
        f"- {schedule['iterations']:,} iterations = {schedule['epochs']} epochs of {schedule['steps_per_epoch']} "
        "steps"
        + (
            f" (the last one {last} of them)"
            if (last := schedule["iterations"] - (schedule["epochs"] - 1) * schedule["steps_per_epoch"])
            < schedule["steps_per_epoch"]
            else ""
        )
        + f"; the rate divided by 10 after iterations {drops or 'none'}"
        + (f"; the first {warmup} iterations at a tenth of it (warm-up)" if warmup else ""),
        "- augmentation: random crop with 4-pixel zero padding and horizontal flip"
        if config["augment"]
        else "- no augmentation",
        "- the epoch with the best validation accuracy is kept (checkpoints/best.ckpt) and tested",
    ]


def timing_lines(results: dict) -> list[str]:
    timing, schedule = results["timing"], results["schedule"]
    if timing is None:
        return ["No whole epoch was timed."]
    return [
        f"- {timing['median_epoch_s']:.2f} s per epoch with its validation, {timing['median_train_epoch_s']:.2f} s "
        "of training alone ("
        + (
            "one whole epoch timed, with its warm-up"
            if timing.get("first_epoch_included")
            else f"medians of {timing['epochs_timed']} epochs after the first, which took "
            f"{timing['first_epoch_s']:.2f} s with warm-up"
        )
        + f"): {timing['images_per_s']:,.0f} training images/s (training alone)",
        f"- the whole {schedule['iterations']:,}-iteration recipe at that speed, validation included: "
        f"{timing['recipe_s_estimate'] / 60:.1f} min on {results['config']['device']}",
    ]


def test_lines(results: dict) -> list[str]:
    test, classes = TestScore.of(results), results["data"]["classes"]
    if test is None:
        return ["Not tested (interrupted)."]
    confusion = test.confusion
    per_class = confusion["per_class"]
    scored = [(name, acc) for name, acc in per_class.items() if acc is not None]
    low, high = min(acc for _, acc in scored), max(acc for _, acc in scored)
    worst = ", ".join(name for name, acc in scored if acc == low)  # ties all named
    best = ", ".join(name for name, acc in scored if acc == high)
    confused = most_confused(confusion, classes)
    mixups = ", ".join(f"{true} as {predicted} ({n} images)" for true, predicted, n in confused)
    return [
        f"Best class {best} ({pct(high, 1)}), worst {worst} ({pct(low, 1)})"
        + (f"; most frequent mix-ups: {mixups}." if mixups else "."),
        "",
        confusion_markdown(confusion, classes),
    ]


def render_resnet_report(results: dict, table: LayerTable, figures: dict[str, FigureFile]) -> str:
    data, model, history = results["data"], results["model"], results["history"]
    sizes, norm = data["sizes"], results["config"]["normalization"]
    caveat = data_caveat(data)
    history_block = history_table(history)
    if len(history) > LONG_HISTORY:
        history_block = f"<details><summary>{len(history)} epochs</summary>\n\n{history_block}\n\n</details>"
    lines = [
        f"# ResNet-{model['depth']} (option {model['shortcut']} shortcuts) on {data['name']}",
        "",
        headline(results),
        "",
        *reference_lines(results),
        "",
        *([caveat, ""] if caveat else []),
        "## Data",
        f"- {data['source']}",
        f"- {sizes['train']:,} train / {sizes['val']:,} validation / {sizes['test']:,} test images of shape "
        f"{' x '.join(str(s) for s in data['image_shape'])}, {len(data['classes'])} classes",
        f"- normalised per channel with the training split's mean {[round(v, 4) for v in norm['mean']]} and std "
        f"{[round(v, 4) for v in norm['std']]} (the paper subtracts a per-pixel mean image instead)",
        "",
        "## Model",
        f"conv 3x3 -> 16, BN, ReLU; 3 stages of {(model['depth'] - 2) // 6} basic blocks (conv 3x3, BN, ReLU, conv "
        "3x3, BN, plus the shortcut, ReLU) at 16, 32 and 64 channels on 32x32, 16x16 and 8x8 maps; global average "
        f"pooling; fc 64 -> {len(data['classes'])}. {model['params']:,} parameters, {model['macs']:,} MACs per image.",
        "Shortcuts where a block changes shape: "
        + (
            "option A, the identity subsampled and zero-padded, with no parameters and no MACs (no row below)."
            if model["shortcut"] == "A"
            else "option B, a 1x1 convolution and batch norm (the `shortcut.conv` / `shortcut.bn` rows)."
        )
        + " Batch norms have parameters but their scaling is not counted as MACs, nor are the residual additions "
        "(elementwise operations, as biases): the MAC total equals FlopCounterMode's FLOPs / 2.",
        "",
        table.grouped(2).to_markdown(),
        "",
        f"<details><summary>every layer ({len(table.rows)} rows)</summary>\n\n{table.to_markdown()}\n\n</details>",
        "",
        "## Recipe",
        *schedule_lines(results),
        "",
        "## Training",
        history_block,
        "",
        "## Test set, per class",
        *test_lines(results),
        "",
        "## Time",
        *timing_lines(results),
        "",
        "## Figures",
        "",
        *([f"![{figure.title}]({figure.path})" for figure in figures.values()] or ["(none yet)"]),
        "",
    ]
    return "\n".join(lines)
