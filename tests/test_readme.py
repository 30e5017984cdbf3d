"""The README says what the code does: option tables generated from the configs, the TensorBoard tags the
callbacks write, and result blocks filled by scripts/update_readme.py from a run of the current code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from src.callbacks import MSE_DB_TAG, MSE_TAG, WEIGHT_ERROR_TAG
from src.callbacks.layer_summary_callback import MACS_TAG, PARAMS_TAG, TEXT_TAG
from src.internals import TEXT_TAG_SUFFIX

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("update_readme", ROOT / "scripts" / "update_readme.py")
update_readme = importlib.util.module_from_spec(spec)
spec.loader.exec_module(update_readme)


def blocks() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    return {match["name"]: match["body"] for match in update_readme.BLOCK.finditer(text)}


def test_the_option_tables_are_generated_from_the_current_configs():
    assert blocks()["options"] == update_readme.options_block(), "run: python scripts/update_readme.py --options"


@pytest.mark.parametrize("name", ["study-output", "study-facts", "study-time", "test-time", "bench"])
def test_every_result_block_is_filled(name):
    assert blocks()[name].strip() not in ("", "```\n```")


@pytest.mark.parametrize("tag", [MSE_TAG, MSE_DB_TAG, WEIGHT_ERROR_TAG, PARAMS_TAG, MACS_TAG])
def test_the_tensorboard_table_names_the_tags_written(tag):
    assert f"`{tag}`" in (ROOT / "README.md").read_text()


def test_the_text_tag_is_the_one_tensorboard_shows():
    readme = (ROOT / "README.md").read_text()
    assert f"`{TEXT_TAG}{TEXT_TAG_SUFFIX}`" in readme and f"`{TEXT_TAG}`" not in readme
