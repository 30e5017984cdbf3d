"""Files from the Hugging Face Hub through huggingface_hub (its cache, `HF_ENDPOINT`, `HF_HUB_OFFLINE`): the
pinned WikiText-2 parquet files, and a model's files for `--model <Hub id>`.

The cache comes first: what it holds is used without asking the network (a model at the revision a run
recorded, so that `generate RUN` rebuilds the base that run trained, offline too). Only the files a causal LM
needs are fetched, at the top of the repository (configs, tokenizer files and one kind of weights), never a
whole repository with its TensorFlow, Flax or ONNX copies. huggingface_hub checks a file's size; a dataset
file fetched here is also checked against the sha256 the Hub lists for it at the pinned revision.
"""

from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path

from src.data.downloads.space import check_space
from src.errors import UserError

MODEL_FILES = ("*.json", "*.txt", "*.model", "*.jinja", "*.tiktoken")  # configs, tokenizers, chat templates
WEIGHTS = ("model*.safetensors", "pytorch_model*.bin")  # the first kind the repository has
MODEL_MANUAL = "or save the model with save_pretrained into a folder and pass that folder"


def quiet_hub() -> None:
    """huggingface_hub logs each failed request as a warning before it raises; the one line we print says it."""
    from huggingface_hub.utils import logging

    logging.set_verbosity_error()


def endpoint() -> str:
    from huggingface_hub import constants

    return constants.ENDPOINT


def hub_failure(exc: Exception, what: str, manual: str, missing: str = "no such repository") -> UserError:
    """One line for a Hub error: what was needed, from where, and how to do without the network."""
    from huggingface_hub import constants
    from huggingface_hub.errors import (
        EntryNotFoundError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if isinstance(exc, UserError):
        return exc
    if isinstance(exc, RepositoryNotFoundError):
        return UserError(f"{what}: {missing} on {endpoint()} (or it is private)")
    if isinstance(exc, RevisionNotFoundError):
        return UserError(f"{what}: the revision is not on {endpoint()}")
    if isinstance(exc, LocalEntryNotFoundError) or not isinstance(exc, EntryNotFoundError):
        why = "HF_HUB_OFFLINE=1 and it is not in the Hub cache" if constants.HF_HUB_OFFLINE else "no network?"
        return UserError(f"{what}: cannot fetch it from {endpoint()} ({why}); {manual}")
    return UserError(f"{what}: {str(exc).strip().splitlines()[0]}")


def dataset_files(repo: str, files: tuple[str, ...], revision: str, size: int, what: str, manual: str) -> list[Path]:
    """A dataset's files at a pinned revision: from the Hub's cache, or fetched and checked against the sha256
    the Hub lists for them."""
    from huggingface_hub import constants, hf_hub_download, try_to_load_from_cache

    quiet_hub()
    cached = [try_to_load_from_cache(repo, name, revision=revision, repo_type="dataset") for name in files]
    if all(isinstance(path, str) for path in cached):
        return [Path(path) for path in cached]
    try:
        check_space(Path(constants.HF_HUB_CACHE), size, what)
        paths = [Path(hf_hub_download(repo, name, repo_type="dataset", revision=revision)) for name in files]
        expected = listed_sha256(repo, files, revision)
    except Exception as exc:  # huggingface_hub's errors, and the network's
        raise hub_failure(exc, what, manual) from None
    for name, path in zip(files, paths, strict=True):
        digest = file_sha256(path)
        if expected.get(name) not in (None, digest):
            path.resolve().unlink()  # the blob, and the snapshot's link to it is dangling: fetched again next time
            raise UserError(f"{what}: {name} has sha256 {digest}, not {expected[name]} as listed; deleted it")
    return paths


def listed_sha256(repo: str, files: tuple[str, ...], revision: str) -> dict[str, str]:
    """The sha256 the Hub lists for each of `files` (stored with Git LFS) at `revision`."""
    from huggingface_hub import HfApi

    folders = sorted({str(Path(name).parent) for name in files})
    listed = {}
    for folder in folders:
        for entry in HfApi().list_repo_tree(repo, folder, revision=revision, repo_type="dataset"):
            lfs = getattr(entry, "lfs", None)
            if lfs is not None:
                listed[entry.path] = lfs.sha256
    return listed


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def wanted_files(names: list[str]) -> list[str]:
    """The top-level configs and tokenizer files, and the first kind of weights the repository has."""
    top = [name for name in names if "/" not in name]
    wanted = [name for name in top if any(fnmatch.fnmatch(name, pattern) for pattern in MODEL_FILES)]
    for pattern in WEIGHTS:
        weights = [name for name in top if fnmatch.fnmatch(name, pattern)]
        if weights:
            return wanted + weights
    return wanted


def complete(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any(
        fnmatch.fnmatch(path.name, pattern) for path in folder.iterdir() for pattern in WEIGHTS
    )


def model_snapshot(repo: str, revision: str | None = None) -> tuple[Path, str]:
    """The folder of `repo`'s files in the Hub cache (at `revision`, or the newest), fetched when the cache
    does not hold them, and the commit it holds."""
    from huggingface_hub import HfApi, constants, snapshot_download

    quiet_hub()
    what = f"--model {repo}"
    patterns = [*MODEL_FILES, *WEIGHTS]
    try:
        folder = Path(snapshot_download(repo, revision=revision, allow_patterns=patterns, local_files_only=True))
        if complete(folder):
            return folder, folder.name
    except Exception:  # not in the cache (huggingface_hub raises several kinds): fetch it below
        pass
    try:
        if constants.HF_HUB_OFFLINE:
            snapshot_download(repo, revision=revision, allow_patterns=patterns)  # raises the offline error
        info = HfApi().model_info(repo, revision=revision, files_metadata=True)
        siblings = {sibling.rfilename: sibling.size or 0 for sibling in info.siblings or ()}
        wanted = wanted_files(list(siblings))
        check_space(Path(constants.HF_HUB_CACHE), sum(siblings[name] for name in wanted), what)
        folder = Path(snapshot_download(repo, revision=revision, allow_patterns=wanted))  # records "main" too
    except Exception as exc:  # huggingface_hub's errors, and the network's
        raise hub_failure(exc, what, MODEL_MANUAL, missing="no such folder, and no such repository") from None
    return folder, folder.name
