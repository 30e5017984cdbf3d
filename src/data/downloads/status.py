"""What `study --full` will fetch: for each dataset or model by name, whether the cache already holds it, how
much it weighs, and where it comes from. Looks only; never fetches."""

from __future__ import annotations

from dataclasses import dataclass

from src.data.downloads.catalog import ARCHIVES, HUB_DATASETS, HUB_MODELS
from src.data.downloads.fetch import archive_url, datasets_dir, downloads_dir


@dataclass(frozen=True)
class Needed:
    name: str
    title: str
    size: int  # bytes to fetch (about, for Hub files)
    source: str
    cached: bool


def needed(name: str) -> Needed:
    if name in ARCHIVES:
        archive = ARCHIVES[name]
        extracted = (datasets_dir() / f"{name}-{archive.md5[:12]}" / archive.root).is_dir()
        cached = extracted or (downloads_dir() / archive.file).is_file()
        return Needed(name, archive.title, archive.size, archive_url(archive), cached)
    from huggingface_hub import try_to_load_from_cache

    if name in HUB_DATASETS:
        dataset = HUB_DATASETS[name]
        found = [
            try_to_load_from_cache(dataset.repo, file, revision=dataset.revision, repo_type="dataset")
            for file in dataset.files
        ]
        source = f"{dataset.repo} at {dataset.revision[:12]} on the Hugging Face Hub"
        return Needed(name, dataset.title, dataset.size, source, all(isinstance(path, str) for path in found))
    title, size = HUB_MODELS.get(name, (name, 0))
    cached = isinstance(try_to_load_from_cache(name, "config.json"), str)
    return Needed(name, title, size, f"{name} on the Hugging Face Hub", cached)
