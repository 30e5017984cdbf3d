"""Each lab's headline result in one sentence, from its results.json, and what the course's notebook and the
paper report beside it (not measured here): the rows of the study's report and of the README's labs table."""

from __future__ import annotations

from collections.abc import Callable

# What the course's notebooks and the papers report (quoted, not measured here).
REFERENCES = {
    "cifar": ("target: at least 65 % validation accuracy on CIFAR-10", "—"),
    "resnet": (
        "target: more than 90 % validation accuracy on CIFAR-10 within 200 epochs",
        "91.25 % test accuracy on CIFAR-10 (He et al. 2016, Table 6)",
    ),
    "sentiment": (
        "86.4 % test accuracy on IMDB",
        "76.1 % on balanced movie-review snippets (Kim 2014, CNN-rand)",
    ),
    "lm": ("test perplexity 42.99 (GPT-2 on WikiText-2)", "—"),
}
TITLES = {
    "lms-sweep": "LMS vs Wiener",
    "simplenn": "SimpleNN",
    "classify": "Classification",
    "cifar": "CIFAR-10 lab 1",
    "pipeline": "CIFAR-10 lab 2",
    "resnet": "ResNet-20",
    "sentiment": "Sentiment",
    "lm": "Language model",
}


def epochs_to_wiener(lms: dict) -> dict[float, int]:
    """For each rate that gets there: the first epoch whose MSE is within 10 % of the Wiener solution's."""
    close = 1.1 * lms["wiener"]["mse"]
    reached = {}
    for run in lms["runs"]:
        epoch = next((e for e, v in enumerate(run["mse"]) if v is not None and v <= close), None)
        if epoch is not None:
            reached[run["lr"]] = epoch
    return reached


def lms_headline(lms: dict) -> str:
    runs = {run["lr"]: run for run in lms["runs"]}
    reached = epochs_to_wiener(lms)
    diverged = ", ".join(
        f"r = {lr:g} diverges (epoch {run['diverged_epoch']})" for lr, run in runs.items() if run["diverged_epoch"]
    )
    return (
        f"within 10 % of the Wiener MSE after {', '.join(f'{e}' for e in reached.values())} epochs for r = "
        f"{', '.join(f'{lr:g}' for lr in reached)}; {diverged or 'none diverges'}, as r_crit = "
        f"{lms['theory']['lr_critical']:.4g} predicts"
    )


def simplenn_headline(simplenn: dict) -> str:
    training = simplenn["training"]
    return (
        f"{simplenn['totals']['params']:,} parameters, {simplenn['totals']['macs']:,} MACs per image (Table 2); "
        f"from all-zero weights only fc2 learns: validation accuracy {training['zero_init'][-1]['val/acc']:.1%} "
        f"against {training['default_init'][-1]['val/acc']:.1%}"
    )


def classify_headline(classify: dict) -> str:
    return (
        f"test accuracy {classify['test']['acc']:.2%} ({classify['config']['epochs']} epochs on "
        f"{classify['data']['name']})"
    )


def cifar_headline(cifar: dict) -> str:
    constant = next(v for v in cifar["variants"] if v["name"] == cifar["roles"]["constant"])
    return (
        f"loss before training {cifar['initial_loss']['val_loss']:.4f} (ln 10 = "
        f"{cifar['initial_loss']['ln_classes']:.4f}); test accuracy {constant['test']['acc']:.2%} "
        f"({cifar['config']['epochs']} epochs on {cifar['data']['name']})"
    )


def pipeline_headline(pipeline: dict) -> str:
    best = max((v for v in pipeline["variants"] if v["best_val"]), key=lambda v: v["best_val"]["acc"])
    return (
        f"best of {len(pipeline['variants'])} variants `{best['name']}`: validation accuracy "
        f"{best['best_val']['acc']:.2%} ({pipeline['config']['epochs']} epochs on {pipeline['data']['name']})"
    )


def resnet_headline(resnet: dict) -> str:
    return (
        f"test accuracy {resnet['test']['acc']:.2%} ({resnet['schedule']['epochs']} epochs on {resnet['data']['name']})"
    )


def sentiment_headline(sentiment: dict) -> str:
    presets = sentiment["presets"]
    return (
        "test accuracy "
        + ", ".join(f"`{name}` {p['test']['acc']:.2%}" for name, p in presets.items())
        + f", bag of words {sentiment['bag_of_words']['test']['acc']:.2%} ({sentiment['data']['name']})"
    )


def lm_headline(lm: dict) -> str:
    perplexity = {name: v["measured"]["test"]["perplexity"] for name, v in lm["variants"].items()}
    return (
        "test perplexity "
        + ", ".join(f"{name} {value:,.2f}" for name, value in perplexity.items())
        + f" ({lm['model']['name']} on {lm['data']['name']}, {lm['config']['max_steps']} steps)"
    )


HEADLINES: dict[str, Callable[[dict], str]] = {
    "lms-sweep": lms_headline,
    "simplenn": simplenn_headline,
    "classify": classify_headline,
    "cifar": cifar_headline,
    "pipeline": pipeline_headline,
    "resnet": resnet_headline,
    "sentiment": sentiment_headline,
    "lm": lm_headline,
}


def headline(results: dict) -> str:
    """The lab's headline; for a run that did not complete, its status (its numbers are partial)."""
    if results.get("status") != "completed":
        return f"{results.get('status', 'not run')}: no headline"
    return HEADLINES[results["experiment"]](results)
