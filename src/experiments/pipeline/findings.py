"""The interpretation of a pipeline run: for each study, sentences chosen and filled by that run's numbers.

Each function takes the study's variants (result entries, in the study's order) and the whole results dict.
"""

from __future__ import annotations

from collections.abc import Callable

from src.experiments.wording import pct, points

SAME = 0.001  # best validation accuracies closer than 0.1 points are called equal
CLEAR = 0.01  # a change of at least 1 point is called a clear difference
ONE_SEED = "(one seed each: small differences may not repeat with another seed)"


def best(v: dict) -> float | None:
    return v["best_val"]["acc"] if v["best_val"] else None


def outcome(v: dict) -> str:
    """'93.2 % (epoch 7)', 'diverged in epoch 1', or what else happened."""
    if v["diverged_epoch"] is not None and v["best_val"] is None:
        return f"diverged in epoch {v['diverged_epoch']}"
    if v["best_val"] is None:
        return "no epoch with a finite validation loss"
    text = f"{pct(best(v))} (epoch {v['best_val']['epoch']})"
    return f"{text}, then diverged in epoch {v['diverged_epoch']}" if v["diverged_epoch"] is not None else text


def compare(a: dict, b: dict, what_b: str, what_a: str) -> str:
    """A sentence saying how b's best validation accuracy compares with a's."""
    if best(a) is None or best(b) is None:
        return f"{what_b}: {outcome(b)}; {what_a}: {outcome(a)}."
    difference = best(b) - best(a)
    if abs(difference) < SAME:
        return f"{what_b} reaches the same best validation accuracy as {what_a}, {outcome(b)}."
    word = "beats" if difference > 0 else "falls behind"
    return f"{what_b} {word} {what_a} by {points(abs(difference))[1:]}: {outcome(b)} against {outcome(a)}."


def leader_text(variants: list[dict], setting: str, noun: str) -> str | None:
    """'The best rate is 0.05: ...', or the tie: 'Rates 0.01 and 0.001 tie for the best ...'."""
    trained = [v for v in variants if best(v) is not None]
    if not trained:
        return None
    top = max(best(v) for v in trained)
    leaders = [v for v in trained if top - best(v) < SAME]
    if len(leaders) == 1:
        return f"The best {noun} is {leaders[0]['settings'][setting]:g}: {outcome(leaders[0])}."
    names = [f"{v['settings'][setting]:g}" for v in leaders]
    return (
        f"The {noun}s {', '.join(names[:-1])} and {names[-1]} tie for the best validation accuracy, "
        f"{pct(top)} (within 0.1 points)."
    )


def gap(v: dict) -> float | None:
    return v["final"]["gap"] if v["final"] else None


def train_acc(v: dict) -> float | None:
    return v["final"]["train_acc"] if v["final"] else None


def augmentation(variants: list[dict], run: dict) -> list[str]:
    base, aug = variants
    epochs = run["config"]["epochs"]
    said = [compare(base, aug, "With augmentation the network", "the one without")]
    if gap(base) is not None and gap(aug) is not None:
        narrows = gap(aug) < gap(base)
        said.append(
            f"Augmentation {'narrows' if narrows else 'widens'} the final train - validation gap "
            f"({points(gap(base))} -> {points(gap(aug))}; training accuracy is measured on the images as trained, "
            "augmented ones being harder): "
            + (
                "the network no longer sees the exact same training images to memorise."
                if narrows
                else "here it did not act as a regulariser."
            )
        )
    if best(aug) is not None and best(base) is not None and best(aug) < best(base) - SAME:
        if train_acc(aug) is not None and train_acc(base) is not None and train_acc(aug) < train_acc(base):
            said.append(
                f"Within {epochs} epochs the augmented network also fits its training images less well (final "
                f"train accuracy {pct(train_acc(aug))} vs {pct(train_acc(base))}): it sees a harder, ever-changing "
                "task and usually needs more epochs to overtake."
            )
    if run["data"]["name"] == "digits":
        said.append(
            "On the handwritten digits a horizontal flip does not keep the label (a mirrored 2, 3, 4, 5, 7 or 9 "
            "is no digit, or another one), so part of this augmentation teaches wrong answers; a mirrored "
            "CIFAR-10 photograph shows the same class."
        )
    return said


def batchnorm(variants: list[dict], run: dict) -> list[str]:
    base, bn, *larger = variants
    rate = base["settings"]["lr"]
    said = [compare(base, bn, f"At lr {rate:g} the network with batch norm", "the one without")]
    for plain, normed in zip(larger[::2], larger[1::2], strict=True):
        lr = plain["settings"]["lr"]
        head = f"At lr {lr:g}: without batch norm {outcome(plain)}, with it {outcome(normed)}."
        if best(normed) is not None and best(plain) is None:
            said.append(f"{head} Batch norm keeps this rate trainable where the plain network diverges.")
            continue
        if best(normed) is None or best(plain) is None or best(base) is None or best(bn) is None:
            said.append(head)
            continue
        plain_change, normed_change = best(plain) - best(base), best(normed) - best(bn)
        verb = "Raising" if lr > rate else "Lowering"
        change = (
            f" {verb} the rate from {rate:g} changes the best validation accuracy by {points(plain_change)} "
            f"without batch norm and by {points(normed_change)} with it"
        )
        if normed_change - plain_change >= CLEAR:
            said.append(f"{head}{change}: batch norm tolerates the larger rate better.")
        else:
            said.append(f"{head}{change}: these numbers do not show batch norm tolerating this rate better.")
    return said


def swish(variants: list[dict], run: dict) -> list[str]:
    relu, swish_variant = variants
    return [compare(relu, swish_variant, "Swish", "ReLU") + " " + ONE_SEED]


def learning_rate(variants: list[dict], run: dict) -> list[str]:
    epochs = run["config"]["epochs"]
    said = [text] if (text := leader_text(variants, "lr", "rate")) else []
    trained = [v for v in variants if best(v) is not None]
    if trained:
        ranking = ", ".join(f"{v['settings']['lr']:g}: {pct(best(v))}" for v in sorted(trained, key=best, reverse=True))
        said.append(f"Best validation accuracy by rate: {ranking}.")
    diverged = [v for v in variants if v["diverged_epoch"] is not None]
    if diverged:
        went_on = "; the other rates went on." if len(diverged) < len(variants) else "."
        said.append(
            "Stopped as diverged (non-finite loss): "
            + ", ".join(f"lr {v['settings']['lr']:g} in epoch {v['diverged_epoch']}" for v in diverged)
            + went_on
        )
    else:
        said.append("No rate diverged (every training loss stayed finite).")
    finished = [v for v in variants if train_acc(v) is not None and v["diverged_epoch"] is None]
    if len(finished) > 1:
        slowest = min(finished, key=lambda v: v["settings"]["lr"])
        if train_acc(slowest) == min(train_acc(v) for v in finished):
            said.append(
                f"The smallest rate, {slowest['settings']['lr']:g}, fits its training images least (final train "
                f"accuracy {pct(train_acc(slowest))}): in {epochs} epochs its steps are too small to get far."
            )
    return said


def l2(variants: list[dict], run: dict) -> list[str]:
    said = [text] if (text := leader_text(variants, "weight_decay", "weight decay")) else []
    with_gap = [v for v in variants if gap(v) is not None]
    if with_gap:
        said.append(
            "Final train - validation gap by weight decay: "
            + ", ".join(f"{v['settings']['weight_decay']:g}: {points(gap(v))}" for v in with_gap)
            + "."
        )
        strongest = max(with_gap, key=lambda v: v["settings"]["weight_decay"])
        if train_acc(strongest) == min(train_acc(v) for v in with_gap) and len(with_gap) > 1:
            said.append(
                f"The strongest decay, {strongest['settings']['weight_decay']:g}, has the lowest final train "
                f"accuracy ({pct(train_acc(strongest))}): it holds the weights back from fitting the training set."
            )
    return said


def l1(variants: list[dict], run: dict) -> list[str]:
    l2_variant, l1_variant = variants
    said = [compare(l2_variant, l1_variant, "With L1 instead of L2 the network", "the one with L2")]
    a, b = l2_variant["small_weights"], l1_variant["small_weights"]
    threshold = f"{a['threshold']:g}"
    said.append(
        f"After training, {pct(b['overall'], 1)} of the weights are below {threshold} in magnitude with L1, against "
        f"{pct(a['overall'], 1)} with L2"
        + (
            ": L1 pushes weights that the data do not need to (nearly) zero, L2 only shrinks them in proportion."
            if b["overall"] > a["overall"]
            else "."
        )
    )
    layer = max(b["layers"], key=lambda name: b["layers"][name] - a["layers"][name])
    said.append(
        f"The largest difference is in {layer}: {pct(b['layers'][layer], 1)} (L1) vs {pct(a['layers'][layer], 1)} (L2)."
    )
    return said


FINDINGS: dict[str, Callable[[list[dict], dict], list[str]]] = {
    "augmentation": augmentation,
    "batchnorm": batchnorm,
    "swish": swish,
    "lr": learning_rate,
    "l2": l2,
    "l1": l1,
}
