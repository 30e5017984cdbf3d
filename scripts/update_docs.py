"""Regenerate the generated parts of README.md and docs/*.md from the current code and from stored run results.

A block is the text between `<!-- begin NAME -->` and `<!-- end NAME -->` lines, in README.md or any docs/*.md.
What fills it comes from one of four sources, each refreshed on its own:

    python scripts/update_docs.py              # re-render every block from the code and the stored inputs (seconds)
    python scripts/update_docs.py --options    # only what comes from the code: commands and option tables
    python scripts/update_docs.py --study      # run the study and a short ResNet-20 run (minutes), store their
                                               # results in docs/results/study.json, render the study blocks
    python scripts/update_docs.py --test-time  # time `make test` and `make test-all` (several minutes), store
                                               # them in docs/results/test-time.json, render the test-time block
    python scripts/update_docs.py --bench      # render the performance table from bench/reference/cpu-2core.json
                                               # (written by `make bench ARGS="--out bench/reference/cpu-2core.json"`)

`make docs` runs it (`make docs ARGS=--study`, ...). tests/test_docs.py re-renders every block from the code and
the same stored inputs and fails when a file differs, so a hand edit or a stale block is caught.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
STUDY_RESULTS = DOCS / "results" / "study.json"
TEST_TIME_RESULTS = DOCS / "results" / "test-time.json"
BENCH_REFERENCE = ROOT / "bench" / "reference" / "cpu-2core.json"
STUDY_PARTS = ("lms-sweep", "simplenn", "classify", "cifar", "pipeline", "sentiment", "lm")
RESNET_ARGS = ("resnet", "--epochs", "10")  # the labs table's ResNet-20 run (not part of the study)
sys.path.insert(0, str(ROOT))

from src.config import option_fields  # noqa: E402
from src.config.options import OptionField  # noqa: E402
from src.experiments import commands  # noqa: E402
from src.experiments.overfitting import overfitting_brief  # noqa: E402
from src.experiments.study.headlines import HEADLINES, REFERENCES, TITLES, epochs_to_wiener  # noqa: E402

BLOCK = re.compile(r"(<!-- begin (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end (?P=name) -->)", re.DOTALL)


def option_cell(field: OptionField) -> str:
    if field.kind.is_flag:
        return f"`{field.flag}` / `--no-{field.flag[2:]}`"
    return f"`{field.flag} {field.metavar}`".replace("|", "\\|")  # a table cell


def options_block() -> str:
    """One table per option group: its options, defaults (per command where they differ) and meaning."""
    groups: dict[str, dict[str, list[tuple[str, OptionField]]]] = {}
    for name, command in commands().items():
        for field in option_fields(command.config):
            groups.setdefault(field.group, {}).setdefault(field.name, []).append((name, field))
    lines = []
    for title, fields in groups.items():
        users = sorted({name for entries in fields.values() for name, _ in entries}, key=list(commands()).index)
        lines += [f"**{title}** ({', '.join(f'`{name}`' for name in users)})", ""]
        lines += ["| option | default | meaning |", "|---|---|---|"]
        for entries in fields.values():
            field = entries[0][1]
            shown = {name: ("" if f.default is None else f.kind.show(f.default)) for name, f in entries}
            values = list(shown.values())
            common = max(dict.fromkeys(values), key=values.count)  # ties: the first command's (deterministic)
            default = f"`{common}`" if common else "—"
            default += "".join(f" (`{name}`: `{value}`)" for name, value in shown.items() if value != common)
            lines.append(f"| {option_cell(field)} | {default} | {field.help.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


EVERY_EXPERIMENT = {*STUDY_PARTS, "lms", "resnet"}


def command_options_block(name: str) -> str:
    """One command's options with its own defaults, one table per group; the groups every experiment shares
    (run directory, seed, ...) are left to docs/cli.md."""
    groups: dict[str, list[OptionField]] = {}
    for field in option_fields(commands()[name].config):
        groups.setdefault(field.group, []).append(field)
    users = {title: set() for title in groups}
    for other, command in commands().items():
        for field in option_fields(command.config):
            if field.group in users:
                users[field.group].add(other)
    lines, shared = [], []
    for title, fields in groups.items():
        if EVERY_EXPERIMENT <= users[title] and name in EVERY_EXPERIMENT:
            shared.append(title)
            continue
        lines += [f"**{title}**", "", "| option | default | meaning |", "|---|---|---|"]
        for field in fields:
            default = "—" if field.default is None else f"`{field.kind.show(field.default)}`"
            lines.append(f"| {option_cell(field)} | {default} | {field.help.replace('|', '/')} |")
        lines.append("")
    if shared:
        lines += [
            f"And the options every experiment has ({', '.join(shared)}): [the command line](cli.md#options).",
            "",
        ]
    return "\n".join(lines)


def commands_block() -> str:
    lines = ["| command | what it does |", "|---|---|"]
    lines += [f"| `{name}` | {command.help.replace('|', '/')} |" for name, command in commands().items()]
    return "\n".join(lines) + "\n"


def code_blocks() -> dict[str, str]:
    """Every block derived from the code alone."""
    blocks = {"options": options_block(), "commands": commands_block()}
    return blocks | {f"options-{name}": command_options_block(name) for name in commands()}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{cpu}, {os.cpu_count()} cores, {gpu}, torch {torch.__version__}"


def run(args: list[str], logdir: Path) -> tuple[str, float]:
    """Runs `scripts/train.py ARGS` as `make run` does; returns its console output (paths relative) and seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "scripts/train.py", *args, "--logdir", str(logdir), "--no-progress-bar"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    return done.stdout.replace(str(logdir), "runs").replace(str(ROOT) + "/", "").rstrip(), seconds


def results_of(logdir: Path, name: str) -> dict:
    text = next(logdir.glob(f"{name}/version_*/results.json")).read_text()
    return json.loads(text.replace(str(logdir), "runs"))


def run_study(logdir: Path, resnet_args: tuple[str, ...] = RESNET_ARGS) -> dict:
    """Runs the study and the labs table's ResNet-20 run; returns what docs/results/study.json stores."""
    output, seconds = run([], logdir)
    _, resnet_seconds = run(list(resnet_args), logdir)
    return {
        "date": f"{datetime.date.today():%Y-%m-%d}",
        "machine": machine(),
        "seconds": round(seconds, 1),
        "output": output,
        "results": {name: results_of(logdir, name) for name in STUDY_PARTS},
        "resnet": {"command": " ".join(resnet_args), "seconds": round(resnet_seconds, 1)}
        | {"results": results_of(logdir, "resnet")},
    }


def study_blocks(stored: dict) -> dict[str, str]:
    """The blocks made from a stored study run (docs/results/study.json)."""
    return {
        "study-output": f"```\n{stored['output']}\n```\n",
        "study-facts": study_facts(stored["results"]),
        "study-time": f"Measured {stored['date']} on {stored['machine']}: the study took {stored['seconds']:.0f} s"
        + (f" ({stored['note']})" if stored.get("note") else "")
        + ".\n",
        "labs": labs_block(stored),
    }


def labs_block(stored: dict) -> str:
    """The README's table of the eight labs: each one's headline result from the stored run of the current code."""
    results = {**stored["results"], "resnet": stored["resnet"]["results"]}
    rows = [
        ("lms-sweep", "lms.md", "`lms-sweep`, `lms`"),
        ("simplenn", "simplenn.md", "`simplenn`"),
        ("classify", "classify.md", "`classify`"),
        ("cifar", "cifar.md", "`cifar`"),
        ("pipeline", "pipeline.md", "`pipeline`"),
        ("resnet", "resnet.md", "`resnet`, `predict`"),
        ("sentiment", "sentiment.md", "`sentiment`, `predict --text`"),
        ("lm", "lm.md", "`lm`, `generate`"),
    ]
    lines = ["| lab | command | this code, embedded data | course notebook | paper |", "|---|---|---|---|---|"]
    for key, page, command in rows:
        course, paper = REFERENCES.get(key, ("—", "—"))
        lab = f"[{TITLES[key]}](docs/{page})"
        lines.append(f"| {lab} | {command} | {HEADLINES[key](results[key])} | {course} | {paper} |")
    return "\n".join(lines) + "\n"


def study_facts(results: dict) -> str:
    lms, simplenn, classify = results["lms-sweep"], results["simplenn"], results["classify"]
    cifar, pipeline = results["cifar"], results["pipeline"]
    theory, wiener_mse = lms["theory"], lms["wiener"]["mse"]
    runs = {run["lr"]: run for run in lms["runs"]}
    diverged = [f"r = {lr:g} (epoch {run['diverged_epoch']})" for lr, run in runs.items() if run["diverged_epoch"]]
    reached = epochs_to_wiener(lms)
    training = simplenn["training"]
    return "\n".join(
        [
            f"- LMS: w* = [{', '.join(f'{v:.6f}' for v in lms['wiener']['w'])}], MSE* = {wiener_mse:.6g}; "
            f"epochs until within 10 % of MSE*: {', '.join(f'r = {lr:g}: {e}' for lr, e in reached.items())}; "
            f"diverged: {', '.join(diverged) or 'none'}.",
            f"- Theory: r_crit = {theory['lr_critical']:.4g} (in-order epochs), 2/lambda_max = "
            f"{theory['lr_bound_lambda_max']:.4g}, 2/trace(R) = {theory['lr_bound_trace']:.4g}.",
            f"- SimpleNN: {simplenn['totals']['params']:,} parameters, {simplenn['totals']['macs']:,} MACs per image; "
            f"gradients vanish at zero init in {', '.join(simplenn['zero_init']['vanishing_layers'])}; after "
            f"{training['epochs']} epochs on {training['data']['name']}: validation accuracy "
            f"{training['default_init'][-1]['val/acc']:.1%} from the default init, "
            f"{training['zero_init'][-1]['val/acc']:.1%} from zero weights (largest class: "
            f"{training['chance_accuracy']:.1%}).",
            f"- Classification ({classify['config']['epochs']} epochs on {classify['data']['name']}): test accuracy "
            f"{classify['test']['acc']:.2%} of the best epoch ({classify['best_val']['epoch']}, validation "
            f"{classify['best_val']['acc']:.2%}).",
            cifar_facts(cifar),
            pipeline_facts(pipeline),
            sentiment_facts(results["sentiment"]),
            lm_facts(results["lm"]),
            "",
        ]
    )


def cifar_facts(cifar: dict) -> str:
    constant, decayed = (
        next(v for v in cifar["variants"] if v["name"] == cifar["roles"][r]) for r in ("constant", "decay")
    )
    initial = cifar["initial_loss"]
    overfitting = overfitting_brief(cifar["overfitting"][constant["name"]])
    return (
        f"- CIFAR-10 lab 1, short ({cifar['config']['epochs']} epochs on {cifar['data']['name']}): "
        f"{cifar['totals']['params']:,} parameters, {cifar['totals']['macs']:,} MACs per image; loss before training "
        f"{initial['val_loss']:.4f} (ln 10 = {initial['ln_classes']:.4f}); best validation accuracy "
        f"{constant['best_val']['acc']:.2%} (epoch {constant['best_val']['epoch']}), test "
        f"{constant['test']['acc']:.2%}, {overfitting}; with step decay {decayed['best_val']['acc']:.2%}."
    )


def pipeline_facts(pipeline: dict) -> str:
    variants = [v for v in pipeline["variants"] if v["best_val"]]
    best = max(variants, key=lambda v: v["best_val"]["acc"])
    diverged = [f"`{v['name']}` (epoch {v['diverged_epoch']})" for v in pipeline["variants"] if v["diverged_epoch"]]
    seconds = sum(fit["train_seconds"] for fit in pipeline["fits"])
    return (
        f"- CIFAR-10 lab 2, short ({pipeline['config']['epochs']} epochs on {pipeline['data']['name']}): "
        f"{len(pipeline['variants'])} variants in {len(pipeline['fits'])} fits ({seconds:.0f} s of training); best "
        f"`{best['name']}` at {best['best_val']['acc']:.2%}; stopped as diverged: {', '.join(diverged) or 'none'}."
    )


def sentiment_facts(sentiment: dict) -> str:
    presets = sentiment["presets"]
    tested = ", ".join(
        f"`{name}` {result['test']['acc']:.2%} / {result['test']['balanced_acc']:.2%} (epoch {result['best']['epoch']})"
        for name, result in presets.items()
    )
    bag = sentiment["bag_of_words"]["test"]
    return (
        f"- Sentiment (both presets on {sentiment['data']['name']}, seed {sentiment['config']['seed']}): test "
        f"accuracy / balanced accuracy {tested}; the bag-of-words baseline {bag['acc']:.2%} / "
        f"{bag['balanced_acc']:.2%}; majority class {sentiment['majority_baseline']['accuracy']:.2%}."
    )


def lm_facts(lm: dict) -> str:
    variants = lm["variants"]
    perplexities = ", ".join(f"{name} {v['measured']['test']['perplexity']:,.2f}" for name, v in variants.items())
    steps = lm["config"]["max_steps"]
    return (
        f"- Language model, short ({lm['model']['name']}, pretrained, on {lm['data']['name']}: perplexity on the first "
        f"{lm['config']['eval_lines']} lines of the validation and test text, {steps} fine-tuning steps each): test "
        f"perplexity {perplexities}."
    )


def bench_block(reference: dict) -> str:
    lms, classify = reference["lms"], reference["classify"]
    us, lms_ratio = lms["us_per_step"], lms["ratios"]
    scaling = lms["scaling"]["seconds_per_epoch"]
    images, ratio = classify["images_per_s"], classify["ratios"]
    matrix = classify["device_matrix"]
    names = ("fp32", "fp32_channels_last", "bf16-mixed", "bf16-mixed_channels_last")
    rows = [
        (
            "LMS, µs per step: NumPy / plain PyTorch / Lightning (`train.py lms`, with checkpointing)",
            f"{us['numpy']} / {us['plain_torch']} / {us['lightning']}",
            "",
        ),
        (
            "LMS, Lightning / plain PyTorch",
            f"{lms_ratio['lightning_over_plain_torch']}",
            lms["targets"]["lightning_over_plain_torch"] + " (out of reach, see below)",
        ),
        (
            "LMS, same Trainer with an empty `training_step` / plain PyTorch",
            f"{lms_ratio['lightning_empty_step_over_plain_torch']}",
            "",
        ),
        (
            "LMS, 6-rate sweep / single rate (per step; 20-epoch fit)",
            f"{lms_ratio['sweep_over_single_per_step']}; {lms_ratio['sweep_over_single_fit_20_epochs']}",
            lms["targets"]["sweep_over_single"],
        ),
        (
            "LMS, time per epoch for N = " + " / ".join(f"{int(n):,}" for n in scaling),
            " / ".join(f"{v:.2g}" for v in scaling.values()) + f" s, exponent {lms['scaling']['fitted_exponent']}",
            "linear",
        ),
        (
            "SimpleNN, training images/s of whole epochs (validation included): "
            "Lightning (`train.py classify`) / plain PyTorch loop",
            f"{images['lightning']:,.0f} / {images['plain_torch']:,.0f} ({ratio['lightning_over_plain_torch']} x)",
            classify["targets"]["lightning_over_plain_torch"] + " x",
        ),
        (
            "data pipeline alone / model step alone, images/s",
            f"{classify['data_pipeline_images_per_s']:,.0f} / {classify['model_step_images_per_s']:,.0f} "
            f"({ratio['pipeline_over_model']} x)",
            classify["targets"]["pipeline_over_model"] + " x",
        ),
        (
            "epoch time with LayerSummary + Histograms / without",
            f"{ratio['epoch_time_with_over_without_monitoring']}",
            classify["targets"]["monitoring"],
        ),
        (
            "device matrix (Lightning, images/s, x fp32): " + ", ".join(names),
            ", ".join(f"{matrix[n]['images_per_s']:,.0f} ({matrix[n]['speedup_over_fp32']})" for n in names),
            "",
        ),
        (
            "achieved training FLOP/s (6 x MACs x images/s) / estimated fp32 peak",
            f"{min(m['fraction_of_peak'] for m in matrix.values()):.0%} to "
            f"{max(m['fraction_of_peak'] for m in matrix.values()):.0%}",
            "",
        ),
    ]
    rows += pipeline_rows(reference["pipeline"]) if "pipeline" in reference else []
    rows += resnet_rows(reference["resnet"]) if "resnet" in reference else []
    rows += sentiment_rows(reference["sentiment"]) if "sentiment" in reference else []
    rows += lm_rows(reference["lm"]) if "lm" in reference else []
    lines = ["| benchmark | result | target |", "|---|---|---|"]
    lines += [f"| {name} | {result} | {target} |" for name, result, target in rows]
    separately = "".join(
        f"; the {label} part, run on its own ({reference[key]['measured_separately']}): "
        f"{reference[key]['elapsed_s']:.0f} s"
        for key, label in (("resnet", "ResNet-20"), ("sentiment", "sentiment"), ("lm", "language-model"))
        if "measured_separately" in reference.get(key, {})
    )
    return "\n".join(lines) + f"\n\n(whole benchmark: {reference['elapsed_s']:.0f} s{separately})\n"


def resnet_rows(resnet: dict) -> list[tuple[str, str, str]]:
    images, matrix, recipe = resnet["images_per_s"], resnet["device_matrix"], resnet["recipe_extrapolated"]
    return [
        (
            "ResNet-20, training images/s of whole epochs (validation included): "
            "Lightning (`train.py resnet`) / plain PyTorch loop",
            f"{images['lightning']:,.0f} / {images['plain_torch']:,.0f} "
            f"({resnet['ratios']['lightning_over_plain_torch']} x)",
            resnet["targets"]["lightning_over_plain_torch"] + " x",
        ),
        (
            "ResNet-20 device matrix (Lightning, images/s, x fp32; first epoch s): " + ", ".join(matrix),
            ", ".join(
                f"{m['images_per_s']:,.0f} ({m['speedup_over_fp32']}; {m['first_epoch_s']:g} s)"
                for m in matrix.values()
            ),
            "",
        ),
        (
            "ResNet-20 achieved training FLOP/s / estimated fp32 peak, per matrix row",
            ", ".join(f"{m['achieved_gflops']:.0f} GFLOP/s ({m['fraction_of_peak']:.0%})" for m in matrix.values()),
            "",
        ),
        (
            "ResNet-20, one 45k-image epoch; the 64,000-iteration recipe, extrapolated (`--accelerator auto`)",
            f"{recipe['seconds_per_45k_epoch']:.0f} s; {recipe['auto_configuration_minutes'] / 60:.1f} h",
            resnet["targets"]["h100_recipe_minutes"] + " min on one H100 (no GPU here)",
        ),
    ]


def lm_rows(lm: dict) -> list[tuple[str, str, str]]:
    packing, lora, cache = lm["packing"], lm["lora_vs_full"], lm["kv_cache"]
    full, adapted = lora["full"], lora["lora"]
    rows = [
        (
            "language model, useful tokens/s: packed blocks (`train.py lm`) / the course's padded lines (HF Trainer)",
            f"{packing['packed']['useful_tokens_per_s']:,.0f} / {packing['course_padded']['useful_tokens_per_s']:,.0f} "
            f"({packing['ratio_useful_tokens_per_s']:.1f} x; {packing['course_padded']['padding_share']:.1%} of the "
            "course's slots are padding)",
            packing["target"] + " x",
        ),
        (
            f"{lora['model']} fine-tuning, s per step (batch {lora['batch_size']} x {lora['block_size']}): full / LoRA",
            f"{full['seconds_per_step']:.2f} / {adapted['seconds_per_step']:.2f} "
            f"({lora['full_over_lora_step_time']:.2f} x); trainable {full['trainable']:,} / {adapted['trainable']:,}",
            "",
        ),
        (
            "the same, float32 weights + gradients + AdamW state (computed): full / LoRA",
            f"{full['state_bytes'] / 2**20:,.0f} / {adapted['state_bytes'] / 2**20:,.0f} MiB",
            "",
        ),
    ]
    rates = cache["tokens_per_s"]
    rows.append(
        (
            f"{cache['model']} generation, new tokens/s with / without the KV cache, for "
            + " / ".join(rates)
            + " new tokens",
            "; ".join(f"{r['with_cache']:.1f} / {r['without_cache']:.1f} ({r['ratio']:.1f} x)" for r in rates.values()),
            "",
        )
    )
    return rows


def sentiment_rows(sentiment: dict) -> list[tuple[str, str, str]]:
    rates, padding, text = sentiment["reviews_per_s"], sentiment["padding"], sentiment["text_processing"]
    return [
        (
            "sentiment (default preset), training reviews/s of whole epochs (validation included): "
            "Lightning (`train.py sentiment`) / plain PyTorch loop",
            f"{rates['lightning']:,.0f} / {rates['plain_torch']:,.0f} "
            f"({sentiment['ratios']['lightning_over_plain_torch']:.3f} x)",
            sentiment["targets"]["lightning_over_plain_torch"] + " x",
        ),
        (
            "the same without its weight and gradient histograms / plain PyTorch loop",
            f"{sentiment['ratios']['lightning_without_histograms_over_plain_torch']:.3f} x",
            "",
        ),
        (
            f"padding in training batches of {padding['batch_size']}: bucketed by length / random",
            f"{padding['bucketed']:.1%} / {padding['random']:.1%}",
            "",
        ),
        (
            f"tokenise, build the vocabulary and encode {text['reviews']:,} reviews of {text['mean_words']:.0f} words",
            f"{text['tokenise_vocabulary_encode_s']:.1f} s ({text['reviews_per_s']:,.0f} reviews/s)",
            "seconds, not minutes",
        ),
    ]


def pipeline_rows(pipeline: dict) -> list[tuple[str, str, str]]:
    images, ratio = pipeline["images_per_s"], pipeline["ratios"]
    differences = pipeline["side_by_side_minus_separate"]
    return [
        (
            "SimpleNNCifar (BN + augmentation), training images/s of whole epochs (validation included): "
            "Lightning (`train.py pipeline`, one variant) / plain loop",
            f"{images['lightning_one_run']:,.0f} / {images['plain_torch_one_run']:,.0f} "
            f"({ratio['lightning_over_plain_torch_speed']} x)",
            "",
        ),
        (
            "its data pipeline alone / model step alone, images/s",
            f"{pipeline['data_pipeline_images_per_s']:,.0f} / {pipeline['model_step_images_per_s']:,.0f} "
            f"({ratio['pipeline_over_model']} x)",
            "",
        ),
        (
            "6-rate sweep in one fit / one variant's fit (time): loop; vectorized",
            f"{ratio['sweep_loop_over_one_run']}; {ratio['sweep_vectorized_over_one_run']}",
            pipeline["targets"]["sweep_over_one_run"],
        ),
        (
            "6-rate sweep in one fit / the 6 fits one after another (time): loop; vectorized",
            f"{ratio['sweep_loop_over_one_after_another']}; {ratio['sweep_vectorized_over_one_after_another']}",
            pipeline["targets"]["sweep_over_one_after_another"],
        ),
        (
            "side by side - separate fits, largest difference of val/loss: loop; vectorized",
            f"{differences['loop'].get('val/loss', 0):.2g}; {differences['vectorized'].get('val/loss', 0):.2g}",
            "0 (loop); rounding (vectorized)",
        ),
    ]


def measure_test_time() -> dict:
    """Times `make test` and `make test-all`; returns what docs/results/test-time.json stores."""
    seconds = {}
    for target in ("test", "test-all"):
        started = time.perf_counter()
        done = subprocess.run(["make", target], cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:  # nothing stored: the times of a failing suite say nothing
            sys.exit(
                f"make {target} failed; nothing stored. Its output ends:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
            )
        seconds[target] = round(time.perf_counter() - started, 1)
    return {"date": f"{datetime.date.today():%Y-%m-%d}", "machine": machine(), "seconds": seconds}


def test_time_block(stored: dict) -> str:
    minutes = {target: seconds / 60 for target, seconds in stored["seconds"].items()}
    return (
        f"Measured {stored['date']} on {stored['machine']}, with the environment installed: "
        f"`make test` {minutes['test']:.1f} min, `make test-all` {minutes['test-all']:.1f} min.\n"
    )


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def store(path: Path, stored: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n")


RENDERERS = {
    "options": code_blocks,
    "study": lambda: study_blocks(load(STUDY_RESULTS)),
    "test-time": lambda: {"test-time": test_time_block(load(TEST_TIME_RESULTS))},
    "bench": lambda: {"bench": bench_block(load(BENCH_REFERENCE))},
}


STORED_BLOCKS = ("study-output", "study-facts", "study-time", "labs", "test-time", "bench")


def render(kinds=tuple(RENDERERS)) -> dict[str, str]:
    """The blocks of the given kinds, from the code and the stored inputs."""
    return {name: body for kind in kinds for name, body in RENDERERS[kind]().items()}


def files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def block_names(text: str) -> list[str]:
    return [match["name"] for match in BLOCK.finditer(text)]


def replace_blocks(text: str, blocks: dict[str, str]) -> str:
    return BLOCK.sub(lambda m: m[1] + blocks[m["name"]] + m[4] if m["name"] in blocks else m[0], text)


def write(blocks: dict[str, str]) -> list[str]:
    """Fills the blocks wherever they stand; every block rendered must stand somewhere, and every block that
    stands somewhere must be one the generator knows."""
    known, found, changed = set(code_blocks()) | set(STORED_BLOCKS), set(), []
    for path in files():
        text = path.read_text()
        names = block_names(text)
        unknown = set(names) - known
        if unknown:
            raise SystemExit(f"{path.relative_to(ROOT)}: unknown block {', '.join(sorted(unknown))}")
        found |= set(names)
        new = replace_blocks(text, blocks)
        if new != text:
            path.write_text(new)
            changed.append(str(path.relative_to(ROOT)))
    missing = set(blocks) - found
    if missing:
        raise SystemExit(f"no file has a block named {', '.join(sorted(missing))}")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--options", action="store_true", help="only the blocks derived from the code")
    parser.add_argument("--study", action="store_true", help="run the study and the ResNet-20 run, store, render")
    parser.add_argument("--logdir", type=Path, help="with --study: keep the runs here (default: a temporary folder)")
    parser.add_argument("--test-time", action="store_true", help="time make test and make test-all, store, render")
    parser.add_argument("--bench", action="store_true", help="only the performance table")
    args = parser.parse_args(argv)
    kinds = [kind for kind, chosen in (("options", args.options), ("bench", args.bench)) if chosen]
    if args.study:
        with tempfile.TemporaryDirectory() as tmp:
            store(STUDY_RESULTS, run_study(args.logdir or Path(tmp) / "runs"))
        kinds.append("study")
    if args.test_time:
        write(render())  # the tests check the docs too: bring them up to date before timing them
        store(TEST_TIME_RESULTS, measure_test_time())
        kinds.append("test-time")
    blocks = render(kinds or tuple(RENDERERS))
    changed = write(blocks)
    print(
        f"rendered {len(blocks)} blocks ({', '.join(kinds or RENDERERS)}); changed: {', '.join(changed) or 'nothing'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
