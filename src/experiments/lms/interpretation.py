"""The interpretation in an LMS report: sentences about speed, accuracy and stability, each one chosen by a
number of this run (tests/experiments/test_lms_interpretation.py checks them near r_crit, on noiseless data
and where 2/lambda_max lies below r_crit)."""

from __future__ import annotations

import itertools

from src.experiments.lms.curves import (
    IMPROVING,
    OSCILLATING,
    RISING,
    SETTLED,
    WITHIN,
    attainable,
    envelope,
    exact_fit,
    final_mse,
    first_epoch_within,
    outcome_label,
    prediction_label,
    relative,
    trend,
)


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
        monotone = all(b <= a for (_, a), (_, b) in itertools.pairwise(fast))
        lead = "Larger steps get there sooner. " if monotone and len(fast) > 1 else ""
        text.append(f"**Speed.** {lead}Epochs until the MSE is {target}: {needed}.")
    for run in runs:
        if run["diverged_epoch"] is None and reached[run["lr"]] is None:
            text.append(_unconverged(run, results, epochs, target))

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

    settled_fast = [(lr, epoch) for lr, epoch in fast if trend(_run_at(runs, lr), level) in (SETTLED, IMPROVING)]
    if settled_fast:
        lr, epoch = min(settled_fast, key=lambda pair: (pair[1], final_mse(_run_at(runs, pair[0]))))
        end = _level_text(results, final_mse(_run_at(runs, lr)))
        text.append(
            f"**Trade-off.** In this run r = {lr:g} is the best compromise: {target} after {epoch} epoch(s), "
            f"{end} at the end."
        )
    mismatches = [run for run in runs if run["predicted_stable"] != (run["diverged_epoch"] is None)]
    for run in mismatches:
        text.append(_mismatch(run, results, epochs))
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


def _last(run: dict, count: int = 4) -> list[float]:
    return [v for v in run["mse"] if v is not None][-count:]


def _unconverged(run: dict, results: dict, epochs: int, target: str) -> str:
    """Why a stable rate did not get to the target, from what its curve did at the end."""
    lr, end = run["lr"], _level_text(results, final_mse(run))
    state = trend(run, attainable(results))
    if state == IMPROVING:
        return f"r = {lr:g} is too slow for {epochs} epochs: its MSE is still falling and ends at {end}."
    if state == RISING:
        values = ", ".join(f"{v:.3g}" for v in _last(run))
        return (
            f"r = {lr:g} did not converge: its MSE is rising at the end ({values} over the last epochs), although "
            f"it stayed below the divergence threshold in {epochs} epochs."
        )
    if state == OSCILLATING:
        values = ", ".join(f"{v:.3g}" for v in _last(run))
        where = {
            "growing": "while growing: it is just beyond the edge of stability, where each in-order epoch "
            "amplifies the error a little",
            "shrinking": "while shrinking slowly: it is just inside the edge of stability, where each in-order "
            "epoch barely shrinks the error",
            "steady": "without settling: it is at the edge of stability",
        }[envelope(run)]
        return f"r = {lr:g} oscillates from epoch to epoch ({values} over the last epochs) {where}."
    assert state == SETTLED
    noise = (
        ""
        if exact_fit(results)
        else (
            ": every step follows one noisy sample, and with steps this large the weights keep jumping around w* "
            "(misadjustment)"
        )
    )
    return f"**Accuracy.** r = {lr:g} settles at {end}{noise}."


def _theory_sentences(theory: dict) -> list[str]:
    critical, lam, tr = theory["lr_critical"], theory["lr_bound_lambda_max"], theory["lr_bound_trace"]
    if critical is None:
        return (
            [f"r_crit is not known for this data ({theory['lr_critical_note']})."] if theory["lr_critical_note"] else []
        )
    sentences = [f"The exact in-order threshold is r_crit = {critical:.4g}."]
    if critical < lam:
        sentences.append(
            f"2/lambda_max = {lam:.4g} describes the averaged update (the small-rate limit) and would call every rate "
            "up to it stable; in-order epochs turn unstable earlier, because samples with a large ||x||^2 overshoot."
        )
    else:
        sentences.append(
            f"Here r_crit lies above 2/lambda_max = {lam:.4g}: the in-order epoch map still contracts beyond the "
            "bound of the averaged update."
        )
    if tr <= critical:
        sentences.append(f"2/trace(R) = {tr:.4g} is below r_crit: a conservative bound on this data.")
    else:
        sentences.append(f"2/trace(R) = {tr:.4g} is above r_crit: not a safe bound for in-order epochs on this data.")
    return sentences


def _mismatch(run: dict, results: dict, epochs: int) -> str:
    lr = run["lr"]
    outcome = outcome_label(run, attainable(results))
    head = f"Prediction and outcome differ for r = {lr:g} ({prediction_label(run)} predicted, {outcome})"
    if run["predicted_stable"]:
        return head + ": a transient grew past 1e6 x the initial MSE before the contraction took over."
    state = trend(run, attainable(results))
    if state == RISING:
        return head + f": its MSE grows, but too slowly to pass 1e6 x the initial MSE within {epochs} epochs."
    critical = results["theory"]["lr_critical"]
    closeness = f" (r is {abs(lr / critical - 1):.1%} from r_crit)" if critical else ""
    return head + (
        f": it did not diverge within {epochs} epochs{closeness}; near the threshold an epoch changes the error "
        "by a factor close to 1, so divergence would take many more epochs."
    )
