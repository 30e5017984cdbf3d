"""A language model (the course's third homework, Lab 2): a pretrained LLM, perplexity done right, full
fine-tuning against LoRA, and generation."""

from __future__ import annotations

from dataclasses import dataclass

from src.config import Options
from src.experiments.command import Command, Experiment
from src.experiments.lm.config import GenerateConfig, LMConfig

LM = Experiment(
    name="lm",
    config=LMConfig,
    help="language model: a pretrained LLM's perplexity, full fine-tuning against LoRA, generation (hw3 lab 2)",
    description="Measures a pretrained causal language model (the embedded SmolLM2-135M-Instruct by default) on "
    "the validation and test text (perplexity over predicted tokens, sliding window) and lets it continue a few "
    "prompts; then fine-tunes it fully and with LoRA from the same weights on packed blocks of the training "
    "text, measures both the same way, and compares time per step, tokens/s, memory, perplexity and the "
    "generated texts side by side. Text: Hamlet (embedded), WikiText-2 or your .txt files (--data).",
    steps="src.experiments.lm.steps:LMSteps",
)


@dataclass(frozen=True)
class GenerateCommand(Command):
    def run(self, cfg: Options, given: frozenset[str]) -> int:
        from src.experiments.lm.generate import generate_command  # torch loads only when it runs

        generate_command(cfg)
        return 0


GENERATE = GenerateCommand(
    name="generate",
    config=GenerateConfig,
    help="continue prompts with a language model or one of an lm run's models (greedy or sampled)",
    description="Continues each --prompt with up to --max-new-tokens new tokens: greedy (--greedy) or sampled "
    "with temperature, top-k, top-p and a repetition penalty, seeded (the same seed gives the same text). The "
    "model: an lm run (its pretrained, full or lora model, --variant; default: the lowest validation "
    "perplexity), a Hugging Face model folder, 'smollm2' or 'gpt2-tiny'.",
    positional="source",
)
COMMANDS = (LM, GENERATE)

__all__ = ["COMMANDS", "GENERATE", "LM", "GenerateConfig", "LMConfig"]
