"""Text for language models: the texts and their splits, block packing, the DataModule, the GPT-2 BPE and the
embedded SmolLM2 model's conversion, each from a pinned, hash-checked wheel."""

from src.data.lm.lm_datamodule import LMDataModule
from src.data.lm.packing import IGNORE, collate_blocks, pack_blocks, predicted_tokens
from src.data.lm.texts import LMTexts, load_texts

__all__ = ["IGNORE", "LMDataModule", "LMTexts", "collate_blocks", "load_texts", "pack_blocks", "predicted_tokens"]
