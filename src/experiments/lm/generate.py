"""`generate RUN_OR_MODEL --prompt ...`: continue prompts with a model, or with one of an lm run's models (the
pretrained one, the fully fine-tuned one, or LoRA's adapter merged into its base)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from src.errors import UserError
from src.experiments.lm.config import MODELS_DIR, GenerateConfig
from src.experiments.lm.data import check_generation_fits
from src.experiments.lm.evaluation import continuation
from src.experiments.lm.models import EMBEDDED, TINY, LoadedModel, load_folder, load_model
from src.experiments.ranks import say
from src.modules.lora import load_lora, merge_lora

VARIANTS = ("pretrained", "full", "lora")


def run_results(run_dir: Path) -> dict:
    path = run_dir / "results.json"
    try:
        results = json.loads(path.read_text())
    except (OSError, ValueError):
        raise UserError(
            f"{run_dir}: no readable results.json: expected an lm run directory or a model folder"
        ) from None
    if not isinstance(results, dict) or results.get("experiment") != "lm":
        raise UserError(f"{run_dir}: not an lm run (its results.json is another experiment's)")
    return results


def best_variant(results: dict) -> str:
    measured = {n: v["measured"] for n, v in results.get("variants", {}).items() if v.get("measured")}
    if not measured:
        raise UserError("the run measured no model (interrupted before the pretrained model's measurement?)")
    return min(measured, key=lambda name: measured[name]["val"]["perplexity"])


def run_model(run_dir: Path, variant: str | None) -> LoadedModel:
    results = run_results(run_dir)
    variant = variant or best_variant(results)
    spec = results["config"]["model"]
    revision = results.get("model", {}).get("revision")  # a Hub model: the commit the run trained from
    models = run_dir / MODELS_DIR
    if spec == TINY:  # random weights: the run kept the ones it started from
        base_spec = str(models / "base")
        base = load_folder(models / "base", TINY, f"{TINY} as this run started it")
    else:
        base_spec, base = spec, None
    if variant == "pretrained":
        return base or load_model(base_spec, revision=revision)
    if variant == "full":
        folder = models / "full"
        if not folder.is_dir():
            raise UserError(f"{run_dir}: no {MODELS_DIR}/full (the run did not finish a full fine-tuning)")
        return load_folder(folder, f"{run_dir.name}: full", f"the fully fine-tuned model of {run_dir}")
    adapter = models / "lora_adapter"
    if not (adapter / "adapter_config.json").is_file():
        raise UserError(f"{run_dir}: no {MODELS_DIR}/lora_adapter (the run did not finish a LoRA fine-tuning)")
    base = base or load_model(base_spec, revision=revision)
    merged = merge_lora(load_lora(base.model, adapter))
    return LoadedModel(merged, base.tokenizer, f"{run_dir.name}: lora", f"LoRA's adapter of {run_dir}, merged")


def generate_command(cfg: GenerateConfig) -> None:
    source = Path(cfg.source)
    is_run = (source / "results.json").is_file()
    if cfg.variant is not None and not is_run:
        raise UserError(f"--variant {cfg.variant}: only for an lm run; {cfg.source} is a model")
    if cfg.source in (EMBEDDED, TINY) or not source.exists():  # not a path: a Hub id
        loaded = load_model(cfg.source)  # gpt2-tiny's random weights: always those of seed 0
    elif is_run:
        loaded = run_model(source, cfg.variant)
    elif (source / "checkpoints").is_dir() or (source / MODELS_DIR).is_dir():
        raise UserError(f"{source}: a run directory without results.json (interrupted or failed); resume it first")
    else:
        loaded = load_folder(source, cfg.source, f"the model in {source}")
    check_generation_fits(loaded, cfg.prompt, cfg.max_new_tokens)
    if cfg.accelerator in ("gpu", "cuda") and not torch.cuda.is_available():
        raise UserError(f"--accelerator {cfg.accelerator}: no CUDA GPU was found on this machine")
    device = torch.device("cuda" if cfg.accelerator != "cpu" and torch.cuda.is_available() else "cpu")
    loaded.model.to(device).eval()
    mode = (
        "greedy"
        if cfg.greedy
        else (f"sampling: temperature {cfg.temperature:g}, top-k {cfg.top_k}, top-p {cfg.top_p:g}, seed {cfg.seed}")
    )
    say(f"{loaded.description}; {mode}; repetition penalty {cfg.repetition_penalty:g}; {cfg.max_new_tokens} new tokens")
    for number, prompt in enumerate(cfg.prompt):
        out = continuation(cfg, loaded.model, loaded, prompt, cfg.seed + number, use_cache=cfg.cache)
        say(f"\n{prompt}{out['text']}")
        stop = ", stopped at the end-of-text token" if out["stopped_at_eos"] else ""
        say(f"  ({out['new_tokens']} tokens, {out['tokens_per_s']:.1f} tokens/s{stop})")
