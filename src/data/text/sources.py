"""load_reviews: the reviews `--data` names: 'embedded', 'imdb' (fetched), the aclImdb archive, a Kaggle CSV,
an aclImdb folder, or parquet."""

from __future__ import annotations

from dataclasses import replace

from src.config.paths import IMDB
from src.data.downloads import locate
from src.data.text.imdb import find_aclimdb, read_aclimdb, read_kaggle_csv, read_parquet
from src.data.text.reviews import ReviewSplits
from src.data.text.rotten_tomatoes import load_rotten_tomatoes
from src.errors import UserError

EMBEDDED = "embedded"


def load_reviews(data: str, seed: int) -> ReviewSplits:
    if data == EMBEDDED:
        return load_rotten_tomatoes(seed)
    located = locate(data, IMDB)
    if located.origin is not None:  # the aclImdb archive, fetched or given
        return replace(read_aclimdb(located.path, seed), origin=located.origin)
    path = located.path
    if path.is_file() and path.suffix.lower() == ".csv":
        return read_kaggle_csv(path, seed)
    if path.is_file() and path.suffix.lower() == ".parquet":
        return read_parquet(path, seed)
    if path.is_dir():
        folder = find_aclimdb(path)
        if folder is not None:
            return read_aclimdb(folder, seed)
        if any(path.rglob("*.parquet")):
            return read_parquet(path, seed)
        raise UserError(f"--data {path}: neither an aclImdb folder (train|test/pos|neg/*.txt) nor parquet files")
    if not path.exists():
        raise UserError(f"--data {path}: no such file or directory")
    raise UserError(f"--data {path}: expected a .csv (Kaggle's IMDB), .parquet, an aclImdb folder, or 'embedded'")
