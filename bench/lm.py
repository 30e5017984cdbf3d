"""Language-model speed: packed blocks against the course's padded lines, LoRA against full fine-tuning, and
generation with the KV cache against without it.

1. Packing: useful (predicted, non-padding) tokens per second of `train.py lm`'s fine-tuning (Lightning, packed
   blocks) against the course's recipe (Hugging Face's Trainer, every line padded to the model's 1,024 tokens,
   padding counted in the labels), the same model and text, the same 2,048 token slots per step. Model: a GPT-2
   of 4 layers, 128 wide, 1,024 positions, the real GPT-2 BPE (trainable in seconds per step on a CPU); text:
   Hamlet's training lines (embedded).
2. LoRA against full fine-tuning: time per step, tokens/s, peak memory and trainable parameters of the lm
   experiment's own fits on the embedded SmolLM2-135M (gpt2-tiny with --quick).
3. Generation: new tokens per second of the same decode loop with and without the KV cache, several lengths.
Prints one JSON object. Usage: python bench/lm.py [--steps 8] [--quick] [--out FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

if __package__ in (None, ""):  # `python bench/x.py`: make the repository root importable as in `-m bench.x`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, setup_quiet
from src.callbacks.step_timer import StepTimer
from src.data.lm import LMDataModule, load_texts, pack_blocks
from src.experiments.lm.data import encode
from src.experiments.lm.models import load_model
from src.experiments.lm.steps import training_state_bytes
from src.experiments.quiet import quiet_transformers
from src.modules.causal_lm import CausalLMModule
from src.modules.generation import Sampling, generate
from src.modules.lora import add_lora, default_targets, trainable_parameters

COURSE_CONTEXT = 1024  # the course padded every line to GPT-2's context
SLOTS_PER_STEP = 2048  # token slots per step in both recipes: 2 padded lines, or 8 blocks of 256
BLOCK = 256
GENERATION_LENGTHS = (16, 64, 128)


def bench_gpt2(seed: int = 0):
    from transformers import GPT2Config, GPT2LMHeadModel

    from src.data.lm.gpt2_bpe import load_gpt2_tokenizer

    tokenizer = load_gpt2_tokenizer()
    torch.manual_seed(seed)
    config = GPT2Config(n_layer=4, n_head=4, n_embd=128, n_positions=COURSE_CONTEXT)
    return GPT2LMHeadModel(config), tokenizer


def lightning_fit(model, blocks, batch_size: int, steps: int, lr: float) -> StepTimer:
    import pytorch_lightning as pl

    timer = StepTimer()
    trainer = pl.Trainer(
        accelerator="auto", devices=1, max_steps=steps, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, limit_val_batches=0, callbacks=[timer],
        precision="bf16-mixed" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "32-true",
    )  # fmt: skip
    module = CausalLMModule(model.train(), lr=lr, weight_decay=0.0, warmup_steps=0, total_steps=steps)
    trainer.fit(module, datamodule=LMDataModule(blocks, [(blocks[0], 1)], batch_size, batch_size, 0, seed=0))
    return timer


def course_trainer(model, tokenizer, lines: list[str], steps: int) -> dict:
    """The course's recipe: Trainer over lines padded to 1,024 tokens, labels = input ids (padding included)."""
    from transformers import Trainer, TrainerCallback, TrainingArguments

    tokenizer.pad_token = tokenizer.eos_token
    encoded = tokenizer(lines, padding="max_length", truncation=True, max_length=COURSE_CONTEXT)
    dataset = [{"input_ids": ids, "attention_mask": mask, "labels": ids}
               for ids, mask in zip(encoded["input_ids"], encoded["attention_mask"], strict=True)]  # fmt: skip
    real_per_line = statistics.fmean(sum(mask) - 1 for mask in encoded["attention_mask"])  # tokens really predicted

    class Steps(TrainerCallback):
        def __init__(self) -> None:
            self.seconds: list[float] = []

        def on_step_begin(self, args, state, control, **kwargs):
            self._started = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.seconds.append(time.perf_counter() - self._started)

    timer = Steps()
    per_step = SLOTS_PER_STEP // COURSE_CONTEXT
    with tempfile.TemporaryDirectory() as out:
        arguments = TrainingArguments(
            output_dir=out, per_device_train_batch_size=per_step, max_steps=steps, learning_rate=5e-5,
            save_strategy="no", report_to=[], logging_strategy="no", disable_tqdm=True, seed=0,
            bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
        )  # fmt: skip
        with contextlib.redirect_stdout(io.StringIO()):  # Trainer prints its own summary: stdout is our JSON
            Trainer(model=model.train(), args=arguments, train_dataset=dataset, callbacks=[timer]).train()
    steady = timer.seconds[1:]
    return {
        "sequences_per_step": per_step,
        "seconds_per_step": statistics.median(steady),
        "useful_tokens_per_s": per_step * real_per_line / statistics.median(steady),
        "padding_share": 1 - real_per_line / COURSE_CONTEXT,
    }


def packing(steps: int) -> dict:
    texts = load_texts("embedded")
    lines = [line for line in texts.train if line.strip()]
    model, tokenizer = bench_gpt2()
    blocks = pack_blocks(encode(tokenizer, "\n".join(texts.train)), BLOCK)
    ours = lightning_fit(model, blocks, SLOTS_PER_STEP // BLOCK, steps, lr=5e-5).summary()
    model, tokenizer = bench_gpt2()
    course = course_trainer(model, tokenizer, lines, steps)
    return {
        "model": "GPT-2 config, 4 layers, 128 wide, 1,024 positions, GPT-2 BPE",
        "text": f"Hamlet's training lines (embedded): {len(lines):,} non-empty lines",
        "packed": {
            "blocks_per_step": SLOTS_PER_STEP // BLOCK,
            "block_size": BLOCK,
            "seconds_per_step": ours["seconds_per_step"],
            "useful_tokens_per_s": ours["tokens_per_s"],
        },
        "course_padded": course,
        "ratio_useful_tokens_per_s": ours["tokens_per_s"] / course["useful_tokens_per_s"],
        "target": ">= 5",
    }


def lora_vs_full(spec: str, steps: int, reps: int = 2) -> dict:
    """Full and LoRA fits in turn, `reps` times each; each method's fastest fit (its median step) is kept."""
    import copy

    loaded = load_model(spec)
    texts = load_texts("embedded")
    blocks = pack_blocks(encode(loaded.tokenizer, "\n".join(texts.train)), 128)
    out = {"model": spec, "block_size": 128, "batch_size": 4, "repetitions": reps}
    for _ in range(reps):
        for method in ("full", "lora"):
            model = copy.deepcopy(loaded.model)
            if method == "lora":
                model = add_lora(model, r=64, alpha=16, dropout=0.1, targets=default_targets(loaded.model))
            timer = lightning_fit(model, blocks, 4, steps, lr=1e-3 if method == "lora" else 5e-5)
            trainable = trainable_parameters(model)
            state = training_state_bytes(sum(p.numel() for p in model.parameters()), trainable)
            measured = {**timer.summary(), "trainable": trainable, "state_bytes": state}
            if method not in out or measured["seconds_per_step"] < out[method]["seconds_per_step"]:
                out[method] = measured
    out["full_over_lora_step_time"] = out["full"]["seconds_per_step"] / out["lora"]["seconds_per_step"]
    return out


def kv_cache(spec: str, lengths: tuple[int, ...]) -> dict:
    loaded = load_model(spec)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = loaded.model.to(device).eval()
    prompt = encode(loaded.tokenizer, "To be, or not to be, that is the question:").tolist()
    out = {"model": spec, "prompt_tokens": len(prompt), "tokens_per_s": {}}
    for length in lengths:
        rates = {}
        for cached in (True, False):
            result = generate(model, prompt, length, Sampling(greedy=True), eos_id=None, use_cache=cached)
            rates["with_cache" if cached else "without_cache"] = result.tokens_per_s
        rates["ratio"] = rates["with_cache"] / rates["without_cache"]
        out["tokens_per_s"][str(length)] = rates
    return out


def run(steps: int = 8, quick: bool = False) -> dict:
    quiet_transformers()
    started = time.perf_counter()
    spec = "gpt2-tiny" if quick else "smollm2"
    return {
        "device": "cuda" if torch.cuda.is_available() else "cpu",
        "packing": packing(steps),
        "lora_vs_full": lora_vs_full(spec, max(3, steps // 2), reps=1 if quick else 2),
        "kv_cache": kv_cache(spec, (8, 32) if quick else GENERATION_LENGTHS),
        "elapsed_s": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=8, help="optimizer steps per fit (the first is not counted)")
    parser.add_argument("--quick", action="store_true", help="gpt2-tiny instead of SmolLM2, short generations")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    setup_quiet()
    emit(run(args.steps, args.quick), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
