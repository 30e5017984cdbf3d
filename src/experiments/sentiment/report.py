"""report.md of a sentiment run: the presets side by side, the lab's questions answered from the run."""

from __future__ import annotations

import statistics

from src.analysis import LayerTable
from src.experiments.confusion import confusion_markdown
from src.experiments.defaults import status_line
from src.experiments.figures import FigureFile
from src.experiments.overfitting import overfitting_text
from src.experiments.sentiment.analysis import CLASSES
from src.experiments.tables import history_table
from src.experiments.wording import loss, pct, points

VALIDATION_EXTRAS = (("val/f1", "val F1"), ("val/balanced_acc", "val balanced acc"))
METRIC_NAMES = {"acc": "accuracy", "balanced_acc": "balanced accuracy"}
SETTING_ROWS = (
    ("embedding_dim", "embedding size"),
    ("hidden_dim", "hidden size (per direction)"),
    ("num_layers", "recurrent layers"),
    ("bidirectional", "bidirectional"),
    ("cell", "cell"),
    ("output_dim", "outputs (1: sigmoid + binary cross-entropy, 2: softmax + cross-entropy)"),
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
    lines += ["## Against the baselines and the literature", "", *reference_lines(results), ""]
    lines += ["## Loss per epoch: where overfitting starts", ""]
    if "curves" in figures:
        lines += [f"![{figures['curves'].title}]({figures['curves'].path})", ""]
    for preset, result in presets.items():
        lines += [
            f"### {preset}",
            "",
            history_table(result["history"], VALIDATION_EXTRAS),
            "",
            overfitting_text(result["overfitting"]),
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
        return status_line(results)
    parts = [
        f"{preset} {pct(result['test']['acc'])}"
        for preset, result in results["presets"].items()
        if result["test"] is not None
    ]
    baseline, bag = results["majority_baseline"], results["bag_of_words"]
    return (
        f"**Test accuracy: {', '.join(parts)}** (best epoch of each by validation loss); a bag of words and "
        f"bigrams with logistic regression scores {pct(bag['test']['acc'])}, always answering {baseline['class']} "
        f"{pct(baseline['accuracy'])}."
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
    row("training time per epoch (validation excluded; median)", lambda r: seconds_cell(r["train_seconds"]))
    row(
        "training reviews per second (training time alone)",
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
    """The presets' test scores beside both baselines, then what each preset buys over them and where it stands
    against the reference, by the reference's own metric (balanced accuracy: the references are balanced)."""
    majority, bag, reference = results["majority_baseline"], results["bag_of_words"], results["reference"]
    tested = {p: r["test"] for p, r in results["presets"].items() if r["test"] is not None}
    columns = {**tested, "bag of words": bag["test"]}
    columns[f"majority class ({majority['class']})"] = {**majority, "acc": majority["accuracy"]}
    lines = ["| test set | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for key, label in (("acc", "accuracy"), ("balanced_acc", "balanced accuracy"), ("f1", "F1 (positive class)")):
        lines.append(f"| {label} | " + " | ".join(pct(scores[key]) for scores in columns.values()) + " |")
    lines += [
        "",
        f"- Bag of words: {bag['model']}, on the raw texts (stop words and negations kept): {bag['features']:,} "
        f"words and bigrams, fitted on the same training split in {bag['seconds']:.1f} s.",
        f"- Majority class ({majority['class']}, from the training split): {pct(majority['accuracy'])} of the test "
        "set, a balanced accuracy of 50 %.",
    ]
    for preset, test in tested.items():
        line = (
            f"- {preset}: accuracy {pct(test['acc'])} ({points(test['acc'] - majority['accuracy'])} on the majority "
            f"class), balanced accuracy {pct(test['balanced_acc'])} "
            f"({points(test['balanced_acc'] - bag['test']['balanced_acc'])} on the bag of words)"
        )
        if reference is not None:
            low, high = reference["range"]
            value = test[reference["metric"]]
            place = "below" if value < low else "above" if value > high else "within"
            span = pct(low, 1) if low == high else f"{pct(low, 1)} to {pct(high, 1)}"
            line += f"; by {METRIC_NAMES[reference['metric']]} {place} the reference ({span})"
        lines.append(line + ".")
    if reference is not None:
        lines.append(f"- Reference: {reference['text']}.")
    return lines


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
