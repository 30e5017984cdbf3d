"""The interpretation in an LMS report: sentences about speed, accuracy and stability, each one chosen by a
number of this run (tests/experiments/test_lms_interpretation.py checks them near r_crit, on noiseless data,
either side of 2/lambda_max, and on constructed curves)."""

from __future__ import annotations

import itertools

from src.experiments.lms.curves import (
    FLUCTUATING,
    IMPROVING,
    OSCILLATING,
    RISING,
    SETTLED,
    WITHIN,
    attainable,
    exact_fit,
    final_mse,
    first_epoch_within,
    outcome_label,
    prediction_label,
    relative,
    trend,
    two_epoch_factor,
)
from src.experiments.wording import count

NEAR = 0.05  # a rate within 5 % of r_crit is "near the threshold"


def interpretation(results: dict) -> list[str]:
    runs = sorted(results["runs"], key=lambda run: run["lr"])
    epochs = len(runs[0]["mse"]) - 1
    level = attainable(results)
    exact = exact_fit(results)
    target = "at rounding level" if exact else f"within {WITHIN * 100:g} % of MSE*"
    reached = {run["lr"]: first_epoch_within(run, level) for run in runs if run["diverged_epoch"] is None}
    text = []

    if exact:
        text.append(
            f"**Exact fit.** MSE* = {results['wiener']['mse']:.3g} is rounding error: the data lie on a plane "
            "(no noise), so LMS can reach MSE* itself and ratios to MSE* are not shown; 'converged' here means "
            f"an MSE at rounding level (below {1 + WITHIN:g} x 1e-12 x mean(d^2))."
        )
    fast = [(lr, epoch) for lr, epoch in reached.items() if epoch is not None]
    if fast:
        needed = ", ".join(f"r = {lr:g}: {epoch}" for lr, epoch in fast)
        sooner = len(fast) > 1 and all(b < a for (_, a), (_, b) in itertools.pairwise(fast))
        lead = "Larger steps get there sooner. " if sooner else ""
        text.append(f"**Speed.** {lead}Epochs until the MSE is {target}: {needed}.")
    for run in runs:
        if run["diverged_epoch"] is not None:
            continue
        state = trend(run, level)
        if reached[run["lr"]] is None:
            text.append(_unconverged(run, results, epochs, state))
        elif state in (RISING, OSCILLATING):
            text.append(
                f"r = {run['lr']:g} was {target} at epoch {reached[run['lr']]}, but at the end its MSE is "
                f"{'rising' if state == RISING else 'oscillating'} again ({_values(run)} over the last epochs)."
            )

    stable = [run for run in runs if run["diverged_epoch"] is None]
    if len(stable) > 1 and not exact:
        best = min(stable, key=lambda run: final_mse(run))
        text.append(
            f"**Accuracy.** The lowest final MSE is r = {best['lr']:g}'s, {relative(results, final_mse(best)):.4g} x "
            "MSE*; no weight vector can go below MSE* itself, the least-squares optimum."
        )
    diverged = [run for run in runs if run["diverged_epoch"] is not None]
    if diverged:
        names = ", ".join(f"r = {run['lr']:g} (epoch {run['diverged_epoch']})" for run in diverged)
        text.append(
            f"**Stability.** Beyond a threshold each epoch amplifies the error instead of shrinking it: {names} "
            "diverged (non-finite weights, or an MSE above 1e6 x the initial MSE)."
        )
    text += _theory_sentences(results["theory"])

    calm = [(lr, epoch) for lr, epoch in fast if trend(_run_at(runs, lr), level) in (SETTLED, IMPROVING)]
    if calm:
        lr, epoch = min(calm, key=lambda pair: (pair[1], final_mse(_run_at(runs, pair[0]))))
        end = _level_text(results, final_mse(_run_at(runs, lr)))
        text.append(
            f"**Trade-off.** In this run r = {lr:g} is the best compromise: {target} after {count(epoch, 'epoch')}, "
            f"{end} at the end."
        )
    mismatches = [run for run in runs if run["predicted_stable"] != (run["diverged_epoch"] is None)]
    text += [_mismatch(run, results, epochs) for run in mismatches]
    if not mismatches:
        text.append("Every rate did what the theory predicted.")
    if results["config"]["shuffle"]:
        text.append("Samples were shuffled each epoch, so r_crit (computed for file order) is only indicative.")
    return text


def _run_at(runs: list[dict], lr: float) -> dict:
    return next(run for run in runs if run["lr"] == lr)


def _level_text(results: dict, value: float) -> str:
    ratio = relative(results, value)
    return f"MSE {value:.3g}" if ratio is None else f"{ratio:.3g} x MSE*"


def _values(run: dict, count: int = 4) -> str:
    return ", ".join(f"{v:.3g}" for v in [v for v in run["mse"] if v is not None][-count:])


def _versus_critical(lr: float, results: dict) -> str:
    critical = results["theory"]["lr_critical"]
    if critical is None:
        return ""
    return f"; r is {_percent_from(lr, critical)} {'below' if lr < critical else 'above'} r_crit = {critical:.4g}"


def _percent_from(lr: float, critical: float) -> str:
    return f"{100 * abs(lr / critical - 1):.2g} %"


def _unconverged(run: dict, results: dict, epochs: int, state: str) -> str:
    """Why a stable rate did not get to the target, from what its curve did at the end."""
    lr, end = run["lr"], _level_text(results, final_mse(run))
    if state == IMPROVING:
        return f"r = {lr:g} is too slow for {count(epochs, 'epoch')}: its MSE is still falling and ends at {end}."
    if state == RISING:
        return (
            f"r = {lr:g} did not converge: its MSE is rising at the end ({_values(run)} over the last epochs), "
            f"although it stayed below the divergence threshold in {count(epochs, 'epoch')}"
            f"{_versus_critical(lr, results)}."
        )
    if state == FLUCTUATING:
        shuffled = " (each epoch visits the samples in another order)" if results["config"]["shuffle"] else ""
        return (
            f"r = {lr:g} fluctuates from epoch to epoch ({_values(run)} over the last epochs) without a settled "
            f"trend{shuffled}; it ends at {end}."
        )
    if state == OSCILLATING:
        factor = two_epoch_factor(run)
        change = "" if factor is None else f"; every two epochs it is multiplied by about {factor:.3g}"
        return (
            f"r = {lr:g} oscillates from epoch to epoch ({_values(run)} over the last epochs){change}"
            f"{_versus_critical(lr, results)}."
        )
    noise = (
        ""
        if exact_fit(results)
        else (
            ": every step follows one noisy sample, and with steps this large the weights keep jumping around w* "
            "(misadjustment)"
        )
    )
    return f"**Accuracy.** r = {lr:g} settles at {end}{noise}."


def _compare(value: float, name: str, critical: float) -> str:
    if value == critical:
        return f"{name} equals r_crit"
    return f"{name} lies {'above' if value > critical else 'below'} r_crit"


def _theory_sentences(theory: dict) -> list[str]:
    critical, lam, tr = theory["lr_critical"], theory["lr_bound_lambda_max"], theory["lr_bound_trace"]
    if critical is None:
        note = theory["lr_critical_note"]
        return [f"r_crit is not known for this data ({note})."] if note else []
    sentences = [f"The exact in-order threshold is r_crit = {critical:.4g}."]
    if critical < lam:
        sentences.append(
            f"2/lambda_max = {lam:.4g} describes the averaged update (the small-rate limit) and would call every rate "
            "up to it stable; in-order epochs turn unstable earlier, because samples with a large ||x||^2 overshoot."
        )
    else:
        sentences.append(
            f"Here {_compare(lam, '2/lambda_max', critical).replace('2/lambda_max', f'2/lambda_max = {lam:.4g}')}: "
            "the in-order epoch map still contracts up to r_crit, beyond the bound of the averaged update."
        )
    bound = _compare(tr, f"2/trace(R) = {tr:.4g}", critical)
    if tr <= critical:
        sentences.append(f"{bound}: a conservative bound on this data.")
    else:
        sentences.append(f"{bound}: not a safe bound for in-order epochs on this data.")
    return sentences


def _mismatch(run: dict, results: dict, epochs: int) -> str:
    lr = run["lr"]
    outcome = outcome_label(run, attainable(results))
    head = f"Prediction and outcome differ for r = {lr:g} ({prediction_label(run)} predicted, {outcome})"
    critical = results["theory"]["lr_critical"]
    shuffled = " (samples were shuffled; r_crit describes file order)" if results["config"]["shuffle"] else ""
    if run["predicted_stable"]:
        where = f"r < r_crit = {critical:.4g}" if critical else "r < 2/trace(R)"
        return (
            f"{head}: {where}, so the epochs should contract in the long run, yet the MSE passed 1e6 x the initial "
            f"MSE by epoch {run['diverged_epoch']}{shuffled}."
        )
    if trend(run, attainable(results)) == RISING:
        return head + f": its MSE grows, but too slowly to pass 1e6 x the initial MSE within {count(epochs, 'epoch')}."
    if critical and abs(lr / critical - 1) < NEAR:
        return head + (
            f": it did not diverge within {count(epochs, 'epoch')} (r is {_percent_from(lr, critical)} from r_crit); "
            "near the threshold an epoch changes the error by a factor close to 1, so divergence would take many more "
            "epochs."
        )
    return head + f": it did not diverge within {count(epochs, 'epoch')} although r > r_crit{shuffled}."
