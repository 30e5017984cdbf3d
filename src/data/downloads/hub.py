"""Files from the Hugging Face Hub through huggingface_hub (its cache, `HF_ENDPOINT`, `HF_HUB_OFFLINE`): the
pinned WikiText-2 parquet files, and a model's files for `--model <Hub id>`.

Only the files a causal LM needs are fetched (configs, tokenizer files and one format of weights), never a whole
repository with its TensorFlow, Flax or ONNX copies.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from src.errors import UserError

MODEL_FILES = ("*.json", "*.txt", "*.model", "*.jinja", "*.tiktoken")  # configs, tokenizers, chat templates
WEIGHTS = ("*.safetensors", "pytorch_model*.bin")  # the first kind the repository has


def endpoint() -> str:
    from huggingface_hub import constants

    return constants.ENDPOINT


def hub_failure(exc: Exception, what: str, manual: str) -> UserError:
    """One line for a Hub error: what was needed, from where, and how to do without the network."""
    from huggingface_hub import constants
    from huggingface_hub.errors import (
        EntryNotFoundError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if isinstance(exc, RepositoryNotFoundError):
        return UserError(f"{what}: no such repository on {endpoint()} (or it is private)")
    if isinstance(exc, RevisionNotFoundError):
        return UserError(f"{what}: the revision is not on {endpoint()}")
    if isinstance(exc, LocalEntryNotFoundError) or not isinstance(exc, EntryNotFoundError):
        why = "HF_HUB_OFFLINE=1 and it is not in the Hub cache" if constants.HF_HUB_OFFLINE else "no network?"
        return UserError(f"{what}: cannot fetch it from {endpoint()} ({why}); {manual}")
    return UserError(f"{what}: {str(exc).strip().splitlines()[0]}")


def hub_files(repo: str, files: tuple[str, ...], revision: str, repo_type: str, what: str, manual: str) -> list[Path]:
    from huggingface_hub import hf_hub_download

    try:
        return [Path(hf_hub_download(repo, name, repo_type=repo_type, revision=revision)) for name in files]
    except Exception as exc:  # huggingface_hub's errors, and the network's
        raise hub_failure(exc, what, manual) from None


def model_snapshot(repo: str) -> tuple[Path, str]:
    """The folder of `repo`'s files in the Hub cache (fetched when missing) and the commit it holds."""
    from huggingface_hub import HfApi, constants, snapshot_download

    what = f"--model {repo}"
    manual = "or save the model with save_pretrained into a folder and pass that folder"
    try:
        if constants.HF_HUB_OFFLINE:
            folder = Path(snapshot_download(repo, allow_patterns=[*MODEL_FILES, *WEIGHTS]))
        else:
            info = HfApi().model_info(repo, files_metadata=False)
            names = [sibling.rfilename for sibling in info.siblings or ()]
            wanted = [name for name in names if any(fnmatch.fnmatch(name, p) for p in MODEL_FILES)]
            for pattern in WEIGHTS:
                weights = [name for name in names if fnmatch.fnmatch(name, pattern)]
                if weights:
                    wanted += weights
                    break
            folder = Path(snapshot_download(repo, allow_patterns=wanted))  # also records "main" for offline runs
    except Exception as exc:  # huggingface_hub's errors, and the network's
        raise hub_failure(exc, what, manual) from None
    return folder, folder.name
