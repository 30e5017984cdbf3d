"""What each command runs and prints: the experiment's summary and where its results are."""

from __future__ import annotations

import argparse
from pathlib import Path

from src.data import load_regression
from src.experiments.classify import load_image_splits, run_classify
from src.experiments.distributed import say
from src.experiments.image_config import ImageConfig
from src.experiments.lms import run_lms
from src.experiments.lms_config import DEFAULT_SWEEP_LRS, LMSConfig
from src.experiments.lms_report import console_table
from src.experiments.simplenn import run_simplenn

STUDY_IMAGE_EPOCHS = {"simplenn": 5, "classify": 10}


# Command-line destinations that name a config field differently.
FIELD_OF_OPTION = {
    "lr": "lrs",  # `lms --lr R` is the one-rate sweep
    "no_progress_bar": "progress_bar",
    "grad_every": "grad_every_n_steps",
    "weight_every": "weight_every_n_epochs",
}


def given_fields(args: argparse.Namespace, experiment: str) -> frozenset[str]:
    fields = {FIELD_OF_OPTION.get(dest, dest) for dest in getattr(args, "given", frozenset())}
    if experiment != "lms" and "lr" in getattr(args, "given", frozenset()):
        fields = (fields - {"lrs"}) | {"lr"}  # the image commands' --lr is the field lr
    return frozenset(fields)


def lms_config(args: argparse.Namespace, experiment: str) -> LMSConfig:
    lrs = (args.lr,) if experiment == "lms" else args.lrs
    return LMSConfig(
        experiment=experiment,
        lrs=tuple(lrs),
        data=args.data,
        epochs=args.epochs,
        w0=args.w0,
        seed=args.seed,
        shuffle=args.shuffle,
        logdir=args.logdir,
        accelerator=args.accelerator,
        devices=args.devices,
        precision=args.precision,
        progress_bar=not args.no_progress_bar,
        deterministic=args.deterministic,
        resume=args.resume,
        explicit=given_fields(args, experiment),
    )


def image_config(args: argparse.Namespace, experiment: str) -> ImageConfig:
    return ImageConfig(
        experiment=experiment,
        data_dir=args.data_dir,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        optimizer=args.optimizer,
        momentum=args.momentum,
        weight_decay=args.weight_decay,
        lr_decay=args.lr_decay,
        augment=args.augment,
        num_workers=args.num_workers,
        seed=args.seed,
        logdir=args.logdir,
        accelerator=args.accelerator,
        devices=args.devices,
        precision=args.precision,
        progress_bar=not args.no_progress_bar,
        grad_every_n_steps=args.grad_every,
        weight_every_n_epochs=args.weight_every,
        channels_last=args.channels_last,
        compile=args.compile,
        strategy=args.strategy,
        num_nodes=args.num_nodes,
        deterministic=args.deterministic,
        resume=getattr(args, "resume", None),
        explicit=given_fields(args, experiment),
    )


def run_lms_command(args: argparse.Namespace) -> int:
    cfg = lms_config(args, args.experiment)
    cfg.validate()
    print_lms(run_lms(cfg))
    print_where(args.logdir)
    return 0


def run_simplenn_command(args: argparse.Namespace) -> int:
    print_simplenn(run_simplenn(image_config(args, "simplenn")))
    print_where(args.logdir)
    return 0


def run_classify_command(args: argparse.Namespace) -> int:
    print_classify(run_classify(image_config(args, "classify")))
    print_where(args.logdir)
    return 0


def run_study_command(args: argparse.Namespace) -> int:
    """The LMS sweep, the SimpleNN analysis and a classification run, each with its defaults.

    Every part is validated before the first one starts, so a bad option or file fails at once.
    """
    sweep = LMSConfig(
        experiment="lms-sweep",
        lrs=DEFAULT_SWEEP_LRS,
        data=args.data,
        seed=args.seed,
        logdir=args.logdir,
        accelerator=args.accelerator,
        progress_bar=not args.no_progress_bar,
    )
    images = [
        ImageConfig(
            experiment=name,
            data_dir=args.data_dir,
            epochs=epochs,
            seed=args.seed,
            logdir=args.logdir,
            accelerator=args.accelerator,
            progress_bar=not args.no_progress_bar,
        )
        for name, epochs in STUDY_IMAGE_EPOCHS.items()
    ]
    for cfg in (sweep, *images):
        cfg.validate()
    load_regression(sweep.data)
    splits = load_image_splits(args.data_dir, args.seed)
    say("== 1/3 LMS vs Wiener: learning-rate sweep ==")
    print_lms(run_lms(sweep))
    say("\n== 2/3 SimpleNN: layer summary and zero-initialisation study ==")
    print_simplenn(run_simplenn(images[0], splits))
    say("\n== 3/3 SimpleNN classifier ==")
    print_classify(run_classify(images[1], splits))
    print_where(args.logdir)
    return 0


def print_lms(run) -> None:
    results = run.results
    theory, wiener, data = results["theory"], results["wiener"], results["data"]
    say()
    say(f"data: {data['path']} ({data['n_samples']} samples, p = {data['n_features']})")
    say(f"Wiener: w* = [{', '.join(f'{v:.6f}' for v in wiener['w'])}], MSE* = {wiener['mse']:.6g}")
    critical = "none found" if theory["lr_critical"] is None else f"{theory['lr_critical']:.4g}"
    say(
        f"theory: 2/lambda_max = {theory['lr_bound_lambda_max']:.4g}, 2/trace(R) = {theory['lr_bound_trace']:.4g}, "
        f"r_crit (in order) = {critical}"
    )
    say()
    say(console_table(results))
    print_run_dir(run.run_dir)


def print_simplenn(run) -> None:
    results = run.results
    zero = results["zero_init"]
    training = results["training"]
    say(f"\nSimpleNN (Table 1): per-layer summary (per sample)\n{run.table.to_text()}\n")
    say(f"zero init: gradients vanish exactly in {', '.join(zero['vanishing_layers']) or 'no layer'}")
    for layer, reason in zero["why"].items():
        say(f"  {layer}: {reason}")
    final = {name: training[name][-1]["val/acc"] for name in ("default_init", "zero_init")}
    say(
        f"trained {training['epochs']} epochs on {training['data']['name']}: val acc {final['default_init']:.1%} "
        f"from default init, {final['zero_init']:.1%} from zero weights"
    )
    print_run_dir(run.run_dir)


def print_classify(run) -> None:
    results = run.results
    say(
        f"\n{results['model']['name']} on {results['data']['name']}: test accuracy {results['test']['acc']:.2%}, "
        f"best validation accuracy {results['best_val']['acc']:.2%} (epoch {results['best_val']['epoch']})"
    )
    print_run_dir(run.run_dir)


def print_run_dir(run_dir: Path) -> None:
    say(f"run directory: {run_dir}  (results.json, report.md, figures/, TensorBoard events)")


def print_where(logdir: Path) -> None:
    say(f"TensorBoard:   tensorboard --logdir {logdir}")
