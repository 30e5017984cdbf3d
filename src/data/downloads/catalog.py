"""The course's data by name: where each archive lives, its size and checksum, and what it holds.

The checksums are the official archives' (as torchvision and torchtext check them); tests swap in their own
archives' in-process, never by weakening a check. WikiText-2 comes from the Hugging Face Hub at a pinned
revision (each file checked against the sha256 the Hub lists for it); Hub models are fetched by hub.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from src.config.paths import CIFAR10, IMDB, WIKITEXT2


@dataclass(frozen=True)
class Archive:
    name: str  # what the option says: cifar10
    title: str  # in words, for messages
    url: str  # its home
    file: str  # the archive's file name (also its name on a mirror)
    size: int  # bytes
    md5: str
    root: str  # the one folder the archive holds
    layout: tuple[str, ...]  # paths under root that must exist once extracted
    extracted: int  # about how many bytes it takes extracted (for the disk-space check)
    option: str  # the option that names it


ARCHIVES = {
    CIFAR10: Archive(
        CIFAR10,
        "CIFAR-10 (python version)",
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        "cifar-10-python.tar.gz",
        170_498_071,
        "c58f30108f718f92721af3b95e74349a",
        "cifar-10-batches-py",
        ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"),
        190_000_000,
        "--data-dir",
    ),
    IMDB: Archive(
        IMDB,
        "the Large Movie Review Dataset (IMDB)",
        "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        "aclImdb_v1.tar.gz",
        84_125_825,
        "7c2ac02c03563afcf9b574c7e56c153a",
        "aclImdb",
        ("train/pos", "train/neg", "test/pos", "test/neg"),
        500_000_000,
        "--data",
    ),
}


@dataclass(frozen=True)
class HubDataset:
    name: str
    title: str
    repo: str
    revision: str  # a commit of the dataset's repository: the same bytes for every user
    files: tuple[str, ...]
    size: int  # about how many bytes the files take
    option: str


HUB_DATASETS = {
    WIKITEXT2: HubDataset(
        WIKITEXT2,
        "WikiText-2 (raw)",
        "Salesforce/wikitext",
        "b08601e04326c79dfdd32d625aee71d232d685c3",
        tuple(f"wikitext-2-raw-v1/{split}-00000-of-00001.parquet" for split in ("train", "validation", "test")),
        7_000_000,
        "--data",
    ),
}

# Hub models the full study uses, for its fetch plan: (title, about how many bytes its files take).
HUB_MODELS = {"gpt2": ("GPT-2 (124 M parameters)", 550_000_000)}
