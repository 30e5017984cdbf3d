"""The console summary of a sentiment run: the vocabulary used, one line per preset, the bag-of-words baseline."""

from __future__ import annotations

from src.data.text.vocabulary import SPECIAL_TOKENS
from src.experiments.wording import pct

BAG_OF_WORDS = "bag of words"


def scores(test: dict) -> str:
    return f"test accuracy {pct(test['acc'])}, F1 {pct(test['f1'])}, balanced accuracy {pct(test['balanced_acc'])}"


def sentiment_summary(results: dict) -> str:
    text, bag = results["text"], results["bag_of_words"]
    words = text["vocabulary_size"] - len(SPECIAL_TOKENS)
    width = max(len(BAG_OF_WORDS), *(len(preset) for preset in results["presets"]))
    lines = [
        f"sentiment on {results['data']['name']} (vocabulary of {words:,} words seen "
        f"{text['min_freq']}+ times, {pct(text['per_split']['train']['unknown_fraction'], 1)} of the training "
        f"tokens unknown; majority class {pct(results['majority_baseline']['accuracy'])}):"
    ]
    for preset, result in results["presets"].items():
        test, best = result["test"], result["best"]
        if test is None:
            lines.append(f"  {preset:{width}s} interrupted")
            continue
        lines.append(
            f"  {preset:{width}s} {scores(test)} (epoch {best['epoch']} of {result['settings']['epochs']}, "
            f"{result['model']['params']:,} parameters)"
        )
    lines.append(
        f"  {BAG_OF_WORDS:{width}s} {scores(bag['test'])} (TF-IDF of {bag['features']:,} words and bigrams, "
        f"logistic regression, {bag['seconds']:.1f} s)"
    )
    return "\n".join(lines)
