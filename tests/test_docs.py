"""The README and docs/ say what the code does: every generated block is what scripts/update_docs.py renders from
the current code and the stored run results, every relative link resolves, and the TensorBoard page names the tags
the callbacks write."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from src.callbacks import MSE_DB_TAG, MSE_TAG, WEIGHT_ERROR_TAG
from src.callbacks.layer_summary_callback import MACS_TAG, PARAMS_TAG, TEXT_TAG
from src.internals import TEXT_TAG_SUFFIX

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("update_docs", ROOT / "scripts" / "update_docs.py")
update_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(update_docs)

FILES = update_docs.files()
FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return update_docs.render()


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_generated_block_is_what_the_generator_renders_now(path, rendered):
    text = path.read_text()
    assert text == update_docs.replace_blocks(text, rendered), f"stale or edited block in {name(path)}: make docs"


def test_every_block_is_rendered_and_stands_somewhere(rendered):
    standing = [block for path in FILES for block in update_docs.block_names(path.read_text())]
    assert set(standing) == set(rendered)
    assert set(update_docs.code_blocks()) >= {f"options-{command}" for command in update_docs.commands()}


def test_the_readme_is_a_front_page():
    readme = update_docs.README.read_text()
    assert len(readme.splitlines()) <= 300
    for block in ("labs", "study-time", "test-time"):
        assert block in update_docs.block_names(readme)
    assert "make run" in readme and "make test" in readme


@pytest.mark.parametrize("stored", [update_docs.STUDY_RESULTS, update_docs.TEST_TIME_RESULTS], ids=lambda p: p.name)
def test_the_stored_results_name_the_machine_and_the_date(stored):
    data = json.loads(stored.read_text())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["date"]) and data["machine"]


def test_the_labs_table_has_the_eight_labs(rendered):
    rows = [line for line in rendered["labs"].splitlines() if line.startswith("| [")]
    assert len(rows) == 8
    stored = json.loads(update_docs.STUDY_RESULTS.read_text())
    assert set(stored["results"]) == set(update_docs.STUDY_PARTS)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces to
    hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for line in FENCE.sub("", path.read_text()).splitlines():
        if match := re.match(r"#{1,6} (.*)", line):
            base = slug(match[1])
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def test_the_slug_follows_githubs_rules():
    assert slug("results.json") == "resultsjson"
    assert slug("Reviews (`sentiment --data`)") == "reviews-sentiment---data"
    assert slug("The run directory") == "the-run-directory"


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_relative_link_resolves(path):
    broken = []
    for target in LINK.findall(FENCE.sub("", path.read_text())):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target} (no such heading)")
    assert not broken, f"{name(path)}: {', '.join(broken)}"


TENSORBOARD = ROOT / "docs" / "tensorboard.md"


@pytest.mark.parametrize("tag", [MSE_TAG, MSE_DB_TAG, WEIGHT_ERROR_TAG, PARAMS_TAG, MACS_TAG])
def test_the_tensorboard_table_names_the_tags_written(tag):
    assert f"`{tag}`" in TENSORBOARD.read_text()


def test_the_text_tag_is_the_one_tensorboard_shows():
    text = TENSORBOARD.read_text()
    assert f"`{TEXT_TAG}{TEXT_TAG_SUFFIX}`" in text and f"`{TEXT_TAG}`" not in text


@pytest.mark.slow
def test_the_current_study_still_renders_as_the_stored_one(tmp_path):
    """The stored results are from an earlier run: the current code's results must have the same keys, and the
    generator must render them."""
    fresh = update_docs.run_study(tmp_path / "runs", resnet_args=("resnet", "--epochs", "1"))
    stored = json.loads(update_docs.STUDY_RESULTS.read_text())
    for part in update_docs.STUDY_PARTS:
        assert set(fresh["results"][part]) == set(stored["results"][part]), part
    assert set(fresh["resnet"]["results"]) == set(stored["resnet"]["results"])
    blocks = update_docs.study_blocks(fresh)
    assert set(blocks) == {"study-output", "study-facts", "study-time", "labs"}
    assert all(body.strip() for body in blocks.values())
