"""What `study --full` says before it starts: what it will fetch (what the caches hold already is said apart), and
the expected time from the warm-up (its timing replaced here: tests/experiments/test_study_estimate.py times it)."""

from __future__ import annotations

import contextlib
import io

from src.data.downloads import catalog
from src.data.downloads.progress import megabytes
from src.experiments.study import StudyConfig, estimate, full_parts
from src.experiments.study.plan import names_needed, say_plan
from tests.hub_server import HubServer, use_hub


def test_the_plan_names_what_is_missing_and_the_expected_time(tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSIC_DL_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CLASSIC_DL_MIRROR", raising=False)
    monkeypatch.setattr(estimate, "time_workload", lambda workload, *args: 0.5)
    parts = full_parts(StudyConfig(full=True))
    assert names_needed(parts) == ["cifar10", "imdb", "wikitext-2", "gpt2"]
    cifar = catalog.ARCHIVES["cifar10"]
    (tmp_path / "cache" / "downloads").mkdir(parents=True)
    (tmp_path / "cache" / "downloads" / cifar.file).write_bytes(b"put there by hand")  # checked when used
    with HubServer() as hub:
        use_hub(monkeypatch, hub.endpoint, tmp_path)
        with contextlib.redirect_stdout(io.StringIO()) as out:
            say_plan(StudyConfig(full=True), parts)
    lines = out.getvalue().splitlines()
    imdb = catalog.ARCHIVES["imdb"]
    missing = imdb.size + catalog.HUB_DATASETS["wikitext-2"].size + catalog.HUB_MODELS["gpt2"][1]
    assert lines[:6] == [
        "study --full: the whole course at its settings, on its data",
        f"to fetch ({megabytes(missing)}; into {tmp_path / 'cache'} and the Hugging Face cache):",
        f"  {imdb.title}: about 84.1 MB from {imdb.url}",
        "  WikiText-2 (raw): about 7.0 MB from Salesforce/wikitext at b08601e04326 on the Hugging Face Hub",
        "  GPT-2 (124 M parameters): about 550.0 MB from gpt2 on the Hugging Face Hub",
        "already in the cache: CIFAR-10 (python version)",
    ]
    assert hub.requests == []  # looking is not fetching
    assert lines[6] == "measuring a few training steps of each part on cpu (synthetic data) ..."
    estimates = lines[7:]
    assert [line.split()[0] for line in estimates] == [e.name for e, _ in parts] + ["total"]
    resnet = next(line for line in estimates if line.split()[0] == "resnet")
    assert "8:53:20" in resnet and "64,000 iterations of batch 128" in resnet  # 64,000 x 0.5 s
