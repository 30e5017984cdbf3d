"""`study --full` end to end at the smallest settings: every part on the course's data by name, fetched for real
from servers on 127.0.0.1 (archives through CLASSIC_DL_MIRROR, WikiText-2 and a GPT-2 through HF_ENDPOINT), the
fetch plan and the time estimate said first, one report for the whole course."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import json

import pytest

import src.experiments.study as study_module
from src.cli import main
from src.data import load_image_splits
from src.data.downloads import catalog
from src.data.downloads.progress import megabytes
from src.data.downloads.status import needed
from src.experiments.cifar import CifarConfig
from src.experiments.classify import ClassifyConfig
from src.experiments.pipeline import PipelineConfig
from src.experiments.resnet import ResNetConfig
from src.experiments.sentiment import SentimentConfig
from src.experiments.simplenn import SimpleNNConfig
from src.experiments.study import estimate
from tests.archive_server import ArchiveServer
from tests.data.test_downloads import tar_gz
from tests.data.text.test_review_sources import write_aclimdb
from tests.experiments.test_lm_hub import hamlet, parquet, tiny_model_folder  # noqa: F401 (fixtures)
from tests.helpers import cifar_arrays, write_cifar_py
from tests.hub_server import HubServer, use_hub

PARTS = ["lms-sweep", "simplenn", "classify", "cifar", "pipeline", "resnet", "sentiment", "lm"]
TINY = {  # the study module's names for its parts' configs, at their smallest
    "SimpleNNConfig": functools.partial(SimpleNNConfig, epochs=1),
    "ClassifyConfig": functools.partial(ClassifyConfig, epochs=1),
    "CifarConfig": functools.partial(CifarConfig, epochs=1),
    "PipelineConfig": functools.partial(PipelineConfig, epochs=1, variants=("augmentation",)),
    "ResNetConfig": functools.partial(ResNetConfig, iterations=4, batch_size=16),
    "SentimentConfig": functools.partial(
        SentimentConfig, presets=("default",), embedding_dim=4, hidden_dim=4, epochs=1, min_freq=1
    ),
    "FULL_LM": {
        **study_module.FULL_LM,
        "fraction": 1.0,
        "block_size": 32,
        "batch_size": 2,
        "max_steps": 2,
        "val_every": 2,
        "window": 32,
        "stride": 16,
        "max_new_tokens": 4,
        "prompts": ("To be",),
    },
    "FULL_LM_MODELS": ("gpt2",),
}


@pytest.fixture
def course(tmp_path, monkeypatch, hamlet, tiny_model_folder):  # noqa: F811
    """The course's data on local servers: a small CIFAR-10 and aclImdb on a mirror, WikiText-2 and 'gpt2' on a
    Hub endpoint; the archives' checksums in the catalog."""
    cifar = tar_gz(write_cifar_py(tmp_path / "cifar", cifar_arrays(per_batch=10, seed=1)), "cifar-10-batches-py")
    imdb = tar_gz(write_aclimdb(tmp_path / "imdb", per_class=12) / "aclImdb", "aclImdb")
    for name, data in (("cifar10", cifar), ("imdb", imdb)):
        archive = dataclasses.replace(catalog.ARCHIVES[name], size=len(data), md5=hashlib.md5(data).hexdigest())
        monkeypatch.setitem(catalog.ARCHIVES, name, archive)
    for name, value in TINY.items():
        monkeypatch.setattr(study_module, name, value)
    monkeypatch.setattr(estimate, "time_workload", lambda workload, *args: 0.25)  # the warm-up: tested apart
    monkeypatch.setenv("CLASSIC_DL_CACHE", str(tmp_path / "cache"))
    load_image_splits.cache_clear()
    wikitext = catalog.HUB_DATASETS["wikitext-2"]
    files = {catalog.ARCHIVES[name].file: data for name, data in (("cifar10", cifar), ("imdb", imdb))}
    with ArchiveServer(files) as mirror, HubServer() as hub:
        monkeypatch.setenv("CLASSIC_DL_MIRROR", mirror.endpoint)
        hub.add_repo("gpt2", tiny_model_folder)
        texts = {wikitext.files[0]: parquet(hamlet[:300]), wikitext.files[1]: parquet(hamlet[300:350]),
                 wikitext.files[2]: parquet(hamlet[350:])}  # fmt: skip
        hub.add_repo(wikitext.repo, texts, repo_type="dataset", revision=wikitext.revision)
        use_hub(monkeypatch, hub.endpoint, tmp_path)
        yield mirror, hub
    load_image_splits.cache_clear()


@pytest.mark.slow  # eight parts, each its own fit (8 s); the fetches and the report are tested apart too
def test_the_whole_course_in_one_command(course, tmp_path):
    mirror, _ = course
    logdir = tmp_path / "runs"
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["study", "--full", "--logdir", str(logdir), "--no-progress-bar"]) == 0
    printed = out.getvalue()
    plan = printed[: printed.index("== 1/8 ")]
    assert plan.startswith("study --full: the whole course at its settings, on its data\nto fetch (")
    for name in ("cifar10", "imdb"):
        archive = catalog.ARCHIVES[name]
        assert f"  {archive.title}: about {megabytes(archive.size)} from {mirror.endpoint}/{archive.file}\n" in plan
    assert "  WikiText-2 (raw): about 7.0 MB from Salesforce/wikitext at b08601e04326 on the Hugging Face Hub" in plan
    assert "  GPT-2 (124 M parameters): about 550.0 MB from gpt2 on the Hugging Face Hub" in plan
    assert plan.index("to fetch") < plan.index("measuring a few training steps") < plan.index("fetching CIFAR-10")
    resnet_line = next(line for line in plan.splitlines() if line.startswith("  resnet "))
    assert "ResNet-20" in resnet_line and " 1 s " in resnet_line  # 4 iterations at 0.25 s a step
    assert plan.splitlines()[plan.splitlines().index(resnet_line) - 5].startswith("  lms-sweep")
    assert next(line for line in plan.splitlines() if line.startswith("  total"))

    (study_dir,) = (logdir / "study").iterdir()
    record = json.loads((study_dir / "study.json").read_text())
    assert [part["experiment"] for part in record["parts"]] == PARTS
    assert {part["status"] for part in record["parts"]} == {"completed"}
    data = {
        part["experiment"]: json.loads((study_dir / part["run_dir"] / "results.json").read_text())
        for part in record["parts"]
    }
    for name in ("classify", "cifar", "pipeline", "resnet"):
        assert data[name]["data"]["name"] == "cifar10" and data[name]["data"]["origin"]["official"] is True
    assert data["sentiment"]["data"]["origin"]["name"] == "imdb"
    assert data["lm"]["data"]["origin"]["revision"] == catalog.HUB_DATASETS["wikitext-2"].revision
    assert data["lm"]["config"]["model"] == "gpt2"
    report = (study_dir / "report.md").read_text()
    assert report.startswith("# The whole course (study --full)\n\nStatus: completed.")
    assert "| cifar10 |" in report and "| aclimdb |" in report and "| wikitext-2 |" in report
    assert len(mirror.gets("cifar-10-python.tar.gz")) == len(mirror.gets("aclImdb_v1.tar.gz")) == 1
    assert all(needed(name).cached for name in ("cifar10", "imdb", "wikitext-2", "gpt2"))  # the next plan says so
