"""Every option of every command, given a bad value or an incompatible partner: one line, exit 2, no run."""

from __future__ import annotations

import pytest

from src.cli import main
from src.cli.argv import command_flags
from src.config import option_fields
from src.experiments import commands

CASES = [
    # options every command has
    (["lms", "--seed", "-1"], "--seed: must be in 0 .. 2**32 - 1, got -1"),
    (["classify", "--seed", str(2**32)], "--seed: must be in 0 .. 2**32 - 1"),
    (["simplenn", "--seed", "x"], "--seed: expected a whole number, got 'x'"),
    (["lms-sweep", "--accelerator", "tpu"], "--accelerator: one of auto, cpu, gpu, cuda, mps, got 'tpu'"),
    (
        ["lms", "--accelerator", "gpu"],
        "--accelerator gpu: no CUDA GPU was found on this machine; use --accelerator auto",
    ),
    (
        ["lms", "--accelerator", "gpuu"],
        "--accelerator: one of auto, cpu, gpu, cuda, mps, got 'gpuu' (did you mean 'gpu'?)",
    ),
    (["study", "--data-dir", "{tmp}/none"], "--data-dir {tmp}/none: no such directory"),
    (["study", "--data", "{tmp}/none.mat"], "{tmp}/none.mat: no such file"),
    (["study", "--data", "{tmp}"], "{tmp}: is a directory; expected a .mat, .npz or .csv file"),
    (["lms", "--logdir", "{tmp}/a-file"], "--logdir {tmp}/a-file: cannot create"),
    (["lms", "--bogus"], "unknown option --bogus for lms"),
    (["lms", "--epoch", "3"], "unknown option --epoch for lms (did you mean '--epochs'?)"),  # no abbreviations
    (["lms", "--epo", "3"], "unknown option --epo for lms"),
    (["lmss"], "unknown command 'lmss' (did you mean 'lms'?)"),
    (["frobnicate"], "unknown command 'frobnicate'; commands: study, lms-sweep, lms, simplenn, classify"),
    (["lms", "stray"], "unexpected argument 'stray' for lms"),
    (["lms", "--shuffle=yes"], "--shuffle takes no value"),
    (["lms", "--config", "{tmp}/none.yaml"], "--config {tmp}/none.yaml: no such file"),
    (["lms", "--config", "{tmp}/bad.yaml"], "--config: unknown option 'epoch'"),
    # LMS
    (["lms", "--epochs", "0"], "--epochs: must be at least 1, got 0"),
    (["lms-sweep", "--epochs", "two"], "--epochs: expected a whole number, got 'two'"),
    (["lms", "--lr", "0"], "--lr: must be a finite number > 0, got 0"),
    (["lms", "--lr", "inf"], "--lr: must be a finite number > 0, got inf"),
    (["lms", "--lr"], "--lr: expected a value"),
    (["lms-sweep", "--lrs", ""], "--lrs: expected at least one value"),
    (["lms-sweep", "--lrs", "0.1,0.1"], "--lrs: each value may appear once, got 0.1, 0.1"),
    (["lms-sweep", "--lrs", "0.1", "0.1"], "--lrs: each value may appear once, got 0.1, 0.1"),
    (["lms-sweep", "--lrs", "0.1,nan"], "--lrs: must be a finite number > 0, got nan"),
    (["lms", "--w0", "1,inf,2"], "--w0: must be a finite number, got inf"),
    (["lms", "--w0", "1,2"], "--w0: 1, 2 has 2 values but"),
    (["lms", "--precision", "bf16-mixed"], "--precision: one of 64-true, 64, 32-true, 32, got 'bf16-mixed'"),
    (["lms", "--devices", "2"], "--devices: LMS is sequential"),
    (["lms", "--lrs", "0.1"], "unknown option --lrs for lms (did you mean '--lr'?)"),  # one rate: --lr
    (["lms-sweep", "--lr", "0.1"], "unknown option --lr for lms-sweep (did you mean '--lrs'?)"),  # several: --lrs
    (["lms", "--resume", "{tmp}/none"], "--resume {tmp}/none: no such run directory or checkpoint file"),
    # image commands
    (["classify", "--epochs", "0"], "--epochs: must be at least 1"),
    (["classify", "--batch-size", "-5"], "--batch-size: must be at least 1, got -5"),
    (["classify", "--optimizer", "rmsprop"], "--optimizer: one of adam, sgd, got 'rmsprop'"),
    (["classify", "--lr", "-0.1"], "--lr: must be a finite number > 0"),
    (["classify", "--momentum", "1.5"], "--momentum: must be in [0, 1), got 1.5"),
    (["classify", "--weight-decay", "-1"], "--weight-decay: must be a finite number >= 0"),
    (["classify", "--lr-decay", "linear"], "--lr-decay: one of none, cosine, step, got 'linear'"),
    (["classify", "--num-workers", "-1"], "--num-workers: must be at least 0"),
    (["classify", "--grad-every", "0"], "--grad-every: must be at least 1"),
    (["classify", "--weight-every", "0"], "--weight-every: must be at least 1"),
    (["classify", "--devices", "0"], "--devices: a whole number >= 1 or 'auto', got '0'"),
    (["classify", "--devices", "-1"], "--devices: a whole number >= 1 or 'auto', got '-1'"),
    (["classify", "--strategy", "fsdp"], "--strategy: one of auto, ddp, got 'fsdp'"),
    (["classify", "--num-nodes", "0"], "--num-nodes: must be at least 1"),
    (["classify", "--num-nodes", "2"], "--num-nodes 2: run on every node with MASTER_ADDR, MASTER_PORT and NODE_RANK"),
    (["classify", "--precision", "8-bit"], "--precision: one of auto, 32-true, 32, 16-mixed"),
    (
        ["classify", "--precision", "16-mixed", "--accelerator", "cpu"],
        "--precision 16-mixed: float16 mixed precision needs a CUDA GPU",
    ),
    (["classify", "--data-dir", "{tmp}/a-file"], "--data-dir {tmp}/a-file: no such directory"),
    (["simplenn", "--resume", "last"], "--resume: simplenn is not resumable; run it again instead"),
    # the CIFAR-10 labs
    (["pipeline", "--lrs", "0.1,0"], "--lrs: must be a finite number > 0, got 0"),
    (["pipeline", "--variants", "augment"], "--variants: one of augmentation, batchnorm, swish, lr, l2, l1, got "),
    (["pipeline", "--variants", "lr,lr"], "--variants: each value may appear once, got lr, lr"),
    (["cifar", "--decay-factor", "0"], "--decay-factor: must be in (0, 1), got 0"),
    (["cifar", "--resume", "last"], "--resume: cifar is not resumable; run it again instead"),
    (
        ["pipeline", "--precision", "16-mixed", "--side-by-side", "loop"],
        "--precision 16-mixed: variants side by side share one gradient scaler",
    ),
    (["pipeline", "--side-by-side", "vmap"], "--side-by-side: one of auto, vectorized, loop, off, got 'vmap'"),
    (["resnet", "--depth", "21"], "--depth: must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110, ...), got 21"),
    (["resnet", "--shortcut", "C"], "--shortcut: one of A, B, got 'C'"),
    (["resnet", "--iterations", "0"], "--iterations: must be at least 1, got 0"),
    (["resnet", "--milestones", "100,0"], "--milestones: must be at least 1, got 0"),
    (["resnet", "--milestones", "64000"], "--milestones: 64000 is not before the end of training (--iterations 64000)"),
    (["resnet", "--warmup-iterations", "-1"], "--warmup-iterations: must be at least 0, got -1"),
    (["resnet", "--compile", "maybe"], "--compile: one of auto, on, off, got 'maybe'"),
    (["resnet", "--epochs", "3", "--iterations", "10"], "--epochs and --iterations both set the training length"),
    # sentiment
    (["sentiment", "--max-len", "0"], "--max-len: must be at least 1, got 0"),
    (["sentiment", "--min-freq", "0"], "--min-freq: must be at least 1, got 0"),
    (["sentiment", "--presets", "fancy"], "--presets: one of default, course, got 'fancy'"),
    (["sentiment", "--presets", "course,course"], "--presets: each value may appear once, got course, course"),
    (["sentiment", "--embedding-dim", "0"], "--embedding-dim: must be at least 1, got 0"),
    (["sentiment", "--hidden-dim", "-3"], "--hidden-dim: must be at least 1, got -3"),
    (["sentiment", "--num-layers", "0"], "--num-layers: must be at least 1, got 0"),
    (["sentiment", "--dropout", "1"], "--dropout: must be in [0, 1), got 1"),
    (["sentiment", "--cell", "rnn"], "--cell: one of lstm, gru, got 'rnn'"),
    (["sentiment", "--output-dim", "3"], "--output-dim: must be in 1 .. 2, got 3"),
    (["sentiment", "--init", "zeros"], "--init: one of course, torch, got 'zeros'"),
    (["sentiment", "--eps", "0"], "--eps: must be a finite number > 0, got 0"),
    (["sentiment", "--warmup-steps", "-1"], "--warmup-steps: must be at least 0, got -1"),
    (["sentiment", "--examples", "-1"], "--examples: must be at least 0, got -1"),
    (["sentiment", "--bidirectional=yes"], "--bidirectional takes no value"),
    # predict
    (["predict", "{tmp}", "--text-file", "{tmp}/none.txt"], "--text-file {tmp}/none.txt: no such file"),
    (["predict", "{tmp}", "--text", "a fine film"], "--text and --text-file classify reviews with a sentiment run"),
    (["predict", "--run", "{tmp}/none"], "{tmp}/none: no such run directory"),
    (["predict", "{tmp}", "--variant", "x"], "{tmp}: no checkpoints/best.ckpt or checkpoints/<variant>.pt"),
    (["predict", "{tmp}", "--output", "{tmp}/a-file"], "--output {tmp}/a-file: expected a .csv file"),
    # lm and generate
    (["lm", "--fraction", "0"], "--fraction: must be in (0, 1], got 0"),
    (["lm", "--eval-lines", "0"], "--eval-lines: must be at least 1, got 0"),
    (
        ["lm", "--model", "{tmp}/none"],
        "--model {tmp}/none: no such folder, and not a Hugging Face Hub id (or 'smollm2', 'gpt2-tiny')",
    ),
    (["lm", "--model", "{tmp}/a-file"], "{tmp}/a-file: a file; expected a folder saved with save_pretrained"),
    (["lm", "--methods", "adapter"], "--methods: one of full, lora, got 'adapter'"),
    (["lm", "--methods", "lora,lora"], "--methods: each value may appear once, got lora, lora"),
    (["lm", "--block-size", "1"], "--block-size: must be at least 2, got 1"),
    (["lm", "--accumulate", "0"], "--accumulate: must be at least 1, got 0"),
    (["lm", "--max-steps", "0"], "--max-steps: must be at least 1, got 0"),
    (["lm", "--val-every", "0"], "--val-every: must be at least 1, got 0"),
    (["lm", "--lora-lr", "0"], "--lora-lr: must be a finite number > 0, got 0"),
    (["lm", "--warmup-steps", "-1"], "--warmup-steps: must be at least 0, got -1"),
    (["lm", "--lora-r", "0"], "--lora-r: must be at least 1, got 0"),
    (["lm", "--lora-alpha", "-16"], "--lora-alpha: must be a finite number > 0, got -16"),
    (["lm", "--lora-dropout", "1"], "--lora-dropout: must be in [0, 1), got 1"),
    (["lm", "--lora-targets", ""], "--lora-targets: expected at least one value"),
    (["lm", "--perplexity", "exact"], "--perplexity: one of sliding, lines, got 'exact'"),
    (["lm", "--window", "1"], "--window: must be at least 2, got 1"),
    (["lm", "--stride", "0"], "--stride: must be at least 1, got 0"),
    (["lm", "--stride", "256"], "--stride 256: must be less than --window (256)"),
    (["lm", "--prompts", ""], "--prompts: expected at least one prompt, and no empty one"),
    (["generate", "gpt2-tiny", "--prompt", "Hi", " "], "--prompt: expected at least one prompt, and no empty one"),
    (["lm", "--greedy=yes"], "--greedy takes no value"),
    (["generate"], "generate needs a run or a model: train.py generate RUN_OR_MODEL --prompt TEXT"),
    (["generate", "{tmp}/none", "--prompt", "Hi"], "{tmp}/none: no such run directory or model folder"),
    (["generate", "gpt2-tiny"], "generate needs --prompt TEXT"),
    (["generate", "{tmp}", "--prompt", "Hi", "--variant", "best"], "--variant: one of pretrained, full, lora"),
    (["generate", "{tmp}", "--prompt", "Hi", "--variant", "full"], "--variant full: only for an lm run; {tmp} is"),
    (["generate", "--source", "{tmp}", "--prompt", "Hi"], "{tmp}: no config.json; expected a folder saved with"),
    (["generate", "gpt2-tiny", "--prompt", "Hi", "--no-cache=1"], "--no-cache takes no value"),
    (
        ["generate", "gpt2-tiny", "--prompt", "Hi", "--max-new-tokens", "600"],
        "--max-new-tokens 600: the longest prompt has 1 tokens and the model reads at most 512",
    ),
    (["generate", "gpt2-tiny", "--prompt", "Hi", "--variant", "full"], "--variant full: only for an lm run"),
    (["generate", "gpt2-tiny", "--prompt", "Hi", "--accelerator", "mps"], "--accelerator: one of auto, cpu, gpu"),
    (
        ["generate", "gpt2-tiny", "--prompt", "Hi", "--accelerator", "gpu"],
        "--accelerator gpu: no CUDA GPU was found on this machine",
    ),
    (["study", "--epochs", "5"], "unknown option --epochs for study: it runs each part with the part's defaults"),
    (["study", "--resume", "last"], "--resume last: no study run under"),
]


# Options several commands share (one declaration each): the same bad value under every command that has it.
SHARED = {
    "--seed": ("-1", "--seed: must be in 0 .. 2**32 - 1, got -1"),
    "--logdir": ("{tmp}/a-file", "--logdir {tmp}/a-file: cannot create"),
    "--accelerator": ("tpu", "--accelerator: one of auto, cpu, gpu, cuda"),
    "--data": ("{tmp}/none.mat", "{tmp}/none.mat: no such file"),
    "--data-dir": ("{tmp}/none", "--data-dir {tmp}/none: no such directory"),
    "--resume": ("{tmp}/none", "--resume {tmp}/none: no such run directory"),
    "--epochs": ("0", "--epochs: must be at least 1, got 0"),
    "--w0": ("x", "--w0: expected numbers or 'zeros', got 'x'"),
    "--precision": ("8-bit", "--precision: one of "),
    "--batch-size": ("0", "--batch-size: must be at least 1, got 0"),
    "--optimizer": ("rmsprop", "--optimizer: one of adam, sgd, got 'rmsprop'"),
    "--lr": ("0", "--lr: must be a finite number > 0, got 0"),
    "--momentum": ("1", "--momentum: must be in [0, 1), got 1"),
    "--weight-decay": ("-1", "--weight-decay: must be a finite number >= 0, got -1"),
    "--lr-decay": ("linear", "--lr-decay: one of none, cosine, step, got 'linear'"),
    "--num-workers": ("-1", "--num-workers: must be at least 0, got -1"),
    "--grad-every": ("0", "--grad-every: must be at least 1, got 0"),
    "--weight-every": ("0", "--weight-every: must be at least 1, got 0"),
    "--strategy": ("fsdp", "--strategy: one of auto, ddp, got 'fsdp'"),
    "--num-nodes": ("0", "--num-nodes: must be at least 1, got 0"),
    "--devices": ("two", "--devices: "),  # LMS and the image commands explain it differently (see CASES)
    "--eval-batch-size": ("0", "--eval-batch-size: must be at least 1, got 0"),
    "--normalization": ("imagenet", "--normalization: one of course, dataset, got 'imagenet'"),
    "--side-by-side": ("yes", "--side-by-side: one of auto, vectorized, loop, off, got 'yes'"),
    "--decay-every": ("0", "--decay-every: must be at least 1, got 0"),
    "--decay-factor": ("1", "--decay-factor: must be in (0, 1), got 1"),
    "--variants": ("bn", "--variants: one of augmentation, batchnorm, swish, lr, l2, l1, got 'bn'"),
    "--bn-lrs": ("-0.1", "--bn-lrs: must be a finite number > 0, got -0.1"),
    "--swish-lr": ("0", "--swish-lr: must be a finite number > 0, got 0"),
    "--weight-decays": ("0.1,-1", "--weight-decays: must be a finite number >= 0, got -1"),
    "--l1": ("nan", "--l1: must be a finite number > 0, got nan"),
    "--max-new-tokens": ("0", "--max-new-tokens: must be at least 1, got 0"),
    "--temperature": ("0", "--temperature: must be a finite number > 0, got 0"),
    "--top-k": ("-1", "--top-k: must be at least 0, got -1"),
    "--top-p": ("0", "--top-p: must be in (0, 1], got 0"),
    "--repetition-penalty": ("0", "--repetition-penalty: must be a finite number > 0, got 0"),
}
CASES += [
    ([name, option, value], expected)
    for option, (value, expected) in SHARED.items()
    for name, command in commands().items()
    if option in command_flags(command)
]


@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_option(tmp_path, capsys, monkeypatch, argv, expected):
    for variable in ("MASTER_ADDR", "SLURM_JOB_ID", "TORCHELASTIC_RUN_ID"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "a-file").write_text("not a directory")
    (tmp_path / "bad.yaml").write_text("epoch: 3\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    # predict writes no run: it has neither --logdir nor a progress bar
    command_only = argv[0] in ("frobnicate", "lmss", "predict", "generate") or argv[-1] == "--lr" or "stray" in argv
    logdir = [] if "--logdir" in argv or command_only else ["--logdir", str(tmp_path / "runs")]
    status = main(argv if command_only else [*argv, *logdir, "--no-progress-bar"])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    assert expected.replace("{tmp}", str(tmp_path)) in err
    assert not list((tmp_path / "runs").glob("*/version_*"))


def test_every_option_of_every_command_is_covered():
    """The table above gives each option that takes a value a bad one, under every command that has it."""
    for name, command in commands().items():
        named = {
            token.split("=")[0] for argv, _ in CASES if argv[0] == name for token in argv if token.startswith("--")
        }
        fields = {field.name: field for field in option_fields(command.config)}
        options = {flag for flag, field in command_flags(command).items() if not fields[field].kind.is_flag}
        missing = options - named
        assert not missing, f"{name}: {sorted(missing)}"
