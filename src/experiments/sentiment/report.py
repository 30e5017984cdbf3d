"""report.md of a sentiment run: the presets side by side, the lab's questions answered from the run."""

from __future__ import annotations

import statistics

from src.analysis import LayerTable
from src.experiments.confusion import confusion_markdown
from src.experiments.figures import FigureFile
from src.experiments.sentiment.analysis import CLASSES
from src.experiments.tables import history_table
from src.experiments.wording import loss, pct
from src.shell import shown_path, train_command

VALIDATION_EXTRAS = (("val/f1", "val F1"), ("val/balanced_acc", "val balanced acc"))
SETTING_ROWS = (
    ("embedding_dim", "embedding size"),
    ("hidden_dim", "hidden size (per direction)"),
    ("num_layers", "recurrent layers"),
    ("bidirectional", "bidirectional"),
    ("cell", "cell"),
    ("dropout", "dropout"),
    ("init", "initial weights"),
    ("batch_size", "batch size"),
    ("epochs", "epochs"),
    ("lr", "Adam learning rate"),
    ("eps", "Adam epsilon"),
    ("weight_decay", "weight decay"),
    ("warmup_steps", "linear warm-up (steps)"),
)


def render_sentiment_report(results: dict, tables: dict[str, LayerTable], figures: dict[str, FigureFile]) -> str:
    data, presets = results["data"], results["presets"]
    lines = [f"# Sentiment analysis with an LSTM: {data['name']}", "", headline(results), ""]
    lines += data_section(results)
    lines += ["## The presets side by side", "", *side_by_side(results), ""]
    lines += ["## Against the baseline and the literature", "", *reference_lines(results), ""]
    lines += ["## Loss per epoch: where overfitting starts", ""]
    if "curves" in figures:
        lines += [f"![{figures['curves'].title}]({figures['curves'].path})", ""]
    for preset, result in presets.items():
        lines += [
            f"### {preset}",
            "",
            history_table(result["history"], VALIDATION_EXTRAS),
            "",
            overfitting_sentence(result),
            "",
        ]
    tested = {p: r for p, r in presets.items() if r["test"] is not None}
    if tested:
        lines += ["## Test results of the best checkpoint", ""]
        for preset, result in tested.items():
            test = result["test"]
            lines += [
                f"### {preset} (epoch {result['best']['epoch']}, lowest validation loss)",
                "",
                f"Accuracy {pct(test['acc'])}, F1 (positive class) {pct(test['f1'])}, balanced accuracy "
                f"{pct(test['balanced_acc'])}, loss {loss(test['loss'])}.",
                "",
                confusion_markdown(test["confusion"], CLASSES),
                "",
            ]
            figure = figures.get(f"confusion_{preset}")
            if figure is not None:
                lines += [f"![{figure.title}]({figure.path})", ""]
        lines += examples_section(results)
        lines += wrong_section(results)
    lines += ["## Layers", ""]
    for preset, table in tables.items():
        lines += [f"### {preset}", "", per_token_markdown(table), ""]
    return "\n".join(lines).rstrip() + "\n"


def headline(results: dict) -> str:
    if results["status"] == "interrupted":
        resume = train_command(results["experiment"], "--resume", shown_path(results["meta"]["run_dir"]))
        signal = results["meta"].get("interrupted", {}).get("signal", "a signal")
        return f"**Interrupted** by {signal}: partial results below. Resume with `{resume}`."
    parts = [
        f"{preset} {pct(result['test']['acc'])}"
        for preset, result in results["presets"].items()
        if result["test"] is not None
    ]
    baseline = results["majority_baseline"]
    return (
        f"**Test accuracy: {', '.join(parts)}** (best epoch of each by validation loss); always answering "
        f"{baseline['class']} would score {pct(baseline['accuracy'])}."
    )


def data_section(results: dict) -> list[str]:
    data, text = results["data"], results["text"]
    sizes, positive = data["sizes"], data["positive_fraction"]
    lines = [
        "## Data and text processing",
        "",
        f"- {data['source']}; split {data['split']}: {sizes['train']:,} training, {sizes['val']:,} validation, "
        f"{sizes['test']:,} test reviews ({pct(positive['train'], 1)}, {pct(positive['val'], 1)}, "
        f"{pct(positive['test'], 1)} positive).",
        "- Lower case, HTML tags removed, punctuation removed, scikit-learn's English stop words "
        f"({text['stop_words']}; NLTK's list would need a download) removed from the tokens; at most "
        f"{text['max_len']} tokens per review.",
        f"- That list holds negations too ({', '.join(text['negations_removed'])}): *not funny* is read as "
        "*funny* (look for them in the most confidently wrong reviews below); the course removes them, and so "
        "does this run, for both presets.",
        f"- Vocabulary from the training split only: {text['vocabulary_size']:,} entries (every word seen at least "
        f"{text['min_freq']} times, plus `<pad>` = 0 and `<unk>` = 1).",
        f"- Tokenising, building the vocabulary and encoding {text['reviews']:,} reviews took {text['seconds']:.2f} s.",
        "",
        "| split | reviews | tokens | mean length | median | longest | cut to max length | empty | unknown words |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, stats in text["per_split"].items():
        lines.append(
            f"| {name} | {stats['reviews']:,} | {stats['tokens']:,} | {stats['mean_length']:.1f} | "
            f"{stats['median_length']:g} | {stats['max_length']} | {stats['truncated']:,} | {stats['empty']:,} | "
            f"{pct(stats['unknown_fraction'], 1)} |"
        )
    lines += ["", "An empty review (no token left) is read as a single `<unk>`.", ""]
    return lines


def side_by_side(results: dict) -> list[str]:
    presets = results["presets"]
    names = list(presets)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key, label in SETTING_ROWS:
        lines.append(f"| {label} | " + " | ".join(str(presets[p]["settings"][key]) for p in names) + " |")

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(presets[p]) for p in names) + " |")

    row("parameters", lambda r: f"{r['model']['params']:,}")
    row("MACs per token (recurrent layer)", lambda r: f"{r['model']['recurrent_macs_per_token']:,}")
    row(
        "padding: bucketed / random batches",
        lambda r: f"{pct(r['padding']['bucketed'], 1)} / {pct(r['padding']['random'], 1)}",
    )
    row("epoch time (training + validation; median)", lambda r: seconds_cell(r["epoch_seconds"]))
    row(
        "training reviews per second",
        lambda r: "—" if r["train_reviews_per_s"] is None else f"{r['train_reviews_per_s']:,.0f}",
    )
    row("best epoch (lowest validation loss)", lambda r: "—" if r["best"] is None else str(r["best"]["epoch"]))
    row("validation accuracy there", lambda r: "—" if r["best"] is None else pct(r["best"].get("val/acc")))
    for key, label in (("acc", "test accuracy"), ("f1", "test F1"), ("balanced_acc", "test balanced accuracy")):
        row(label, lambda r, key=key: "—" if r["test"] is None else pct(r["test"][key]))
    row("test loss", lambda r: "—" if r["test"] is None else loss(r["test"]["loss"]))
    for preset, result in presets.items():
        if result["changed"]:
            given = ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in result["changed"].items())
            differs = "differs from the course's notebook" if preset == "course" else "differs from the preset"
            lines += ["", f"`{preset}` with {given} (given on the command line): it {differs}."]
    return lines


def seconds_cell(epoch_seconds: dict) -> str:
    """The median epoch: one slow epoch (a busy machine) does not move it."""
    if not epoch_seconds:
        return "— (not timed: trained before a resume)"
    return f"{statistics.median(epoch_seconds.values()):.1f} s"


def reference_lines(results: dict) -> list[str]:
    baseline, reference = results["majority_baseline"], results["reference"]
    lines = [
        f"- Majority class ({baseline['class']}, from the training split): {pct(baseline['accuracy'])} of the test set."
    ]
    for preset, result in results["presets"].items():
        if result["test"] is None:
            continue
        accuracy = result["test"]["acc"]
        margin = 100 * (accuracy - baseline["accuracy"])
        verdict = f"{abs(margin):.1f} points {'above' if margin >= 0 else 'below'} the majority class"
        if reference is not None:
            low, high = reference["range"]
            place = "below" if accuracy < low else "above" if accuracy > high else "within"
            verdict += f"; {place} the reference"
        lines.append(f"- {preset}: {pct(accuracy)}, {verdict}.")
    if reference is not None:
        lines.append(f"- Reference: {reference['text']}.")
    return lines


def overfitting_sentence(result: dict) -> str:
    over = result["overfitting"]
    if over is None:
        return "No finished epoch yet."
    kept = f"The lowest validation loss ({over['best_val_loss']:.4f}) is at epoch {over['best_epoch']}: it is kept."
    if over["from_epoch"] is not None:
        return (
            f"{kept} At epoch {over['from_epoch']} the validation loss is above it while the training loss is "
            f"below the kept epoch's: **overfitting starts at epoch {over['from_epoch']}** (at the last epoch, "
            f"validation loss {over['val_loss_rise']:+.4f} and training loss {-over['train_loss_fall']:+.4f} "
            "against the kept epoch)."
        )
    if over["best_epoch"] == over["last_epoch"]:
        return f"{kept} It is the last epoch: the validation loss was still falling, no overfitting yet."
    return f"{kept} Later epochs are worse on validation without the training loss falling: not overfitting."


def outcome_line(outcome: dict) -> str:
    predictions = ", ".join(
        f"{preset}: {p['label']} ({pct(p['confidence'], 1)})" for preset, p in outcome["predictions"].items()
    )
    words = " ".join(outcome["tokens"])
    return (
        f"- **#{outcome['index']}**, true **{outcome['label']}**; predicted {predictions}\n"
        f"  > {outcome['text']}\n\n"
        f"  read as: `{words}`"
    )


def examples_section(results: dict) -> list[str]:
    if not results["examples"]:
        return []
    lines = ["## The first test reviews", "", "Confidence: the probability of the predicted class.", ""]
    return lines + [outcome_line(o) + "\n" for o in results["examples"]]


def wrong_section(results: dict) -> list[str]:
    lines = ["## The reviews it got most confidently wrong", ""]
    for preset, outcomes in results["most_confidently_wrong"].items():
        lines += [f"### {preset}", ""]
        lines += [outcome_line(o) + "\n" for o in outcomes] or ["None: every test review is right.", ""]
    return lines


def per_token_markdown(table: LayerTable) -> str:
    markdown = table.to_markdown().rsplit("\n\n", 1)[0]
    return (
        markdown + "\n\nMACs for one review of one token: the embedding is a lookup (no MACs), the recurrent "
        "layer's MACs are per token read (padding is never read), the linear layer's once per review."
    )
