"""`--data-dir cifar10` and `--data imdb` from the command line, fetched from a mirror on 127.0.0.1
(CLASSIC_DL_MIRROR) that serves archives in the official layouts; results.json records what was fetched."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json

import pytest

from src.cli import main
from src.data import load_image_splits
from src.data.downloads import catalog
from tests.archive_server import ArchiveServer
from tests.data.test_downloads import tar_gz
from tests.data.text.test_review_sources import write_aclimdb
from tests.helpers import cifar_arrays, write_cifar_py

QUIET = ["--no-progress-bar"]


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A mirror serving a small CIFAR-10 and a small aclImdb archive, their checksums in the catalog."""
    cifar = tar_gz(write_cifar_py(tmp_path / "cifar", cifar_arrays(per_batch=10, seed=1)), "cifar-10-batches-py")
    imdb = tar_gz(write_aclimdb(tmp_path / "imdb", per_class=12) / "aclImdb", "aclImdb")
    for name, data in (("cifar10", cifar), ("imdb", imdb)):
        archive = catalog.ARCHIVES[name]
        injected = dataclasses.replace(archive, size=len(data), md5=hashlib.md5(data).hexdigest())
        monkeypatch.setitem(catalog.ARCHIVES, name, injected)
    monkeypatch.setenv("CLASSIC_DL_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    load_image_splits.cache_clear()  # a name read by an earlier test in this process is another dataset here
    files = {catalog.ARCHIVES["cifar10"].file: cifar, catalog.ARCHIVES["imdb"].file: imdb}
    with ArchiveServer(files) as server:
        monkeypatch.setenv("CLASSIC_DL_MIRROR", server.endpoint)
        yield server
    load_image_splits.cache_clear()


def results(logdir, experiment) -> dict:
    (path,) = (logdir / experiment).glob("version_*/results.json")
    return json.loads(path.read_text())


def test_classify_on_cifar10_by_name_records_the_archive(mirror, tmp_path, capsys):
    argv = ["classify", "--data-dir", "cifar10", "--epochs", "1", "--batch-size", "16", *QUIET]
    assert main([*argv, "--logdir", str(tmp_path / "runs")]) == 0
    data = results(tmp_path / "runs", "classify")["data"]
    archive = catalog.ARCHIVES["cifar10"]
    assert data["name"] == "cifar10" and data["sizes"] == {"train": 45, "val": 5, "test": 10}
    assert data["origin"] == {"name": "cifar10", "url": archive.url, "md5": archive.md5, "official": True}
    assert "fetching CIFAR-10 (python version)" in capsys.readouterr().out
    assert main([*argv, "--logdir", str(tmp_path / "again")]) == 0
    (run_dir,) = (tmp_path / "runs" / "classify").glob("version_*")
    output = tmp_path / "test-labels.csv"
    assert main(["predict", str(run_dir), "--data-dir", "cifar10", "--output", str(output)]) == 0
    with output.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 10  # the fetched archive's test batch
    assert len(mirror.gets(archive.file)) == 1  # the later runs used the cache


def test_sentiment_on_imdb_by_name_reads_its_own_split(mirror, tmp_path):
    argv = ["sentiment", "--data", "imdb", "--presets", "default", "--embedding-dim", "4", "--hidden-dim", "4",
            "--epochs", "1", "--logdir", str(tmp_path), *QUIET]  # fmt: skip
    assert main(argv) == 0
    data = results(tmp_path, "sentiment")["data"]
    assert data["name"] == "aclimdb" and data["sizes"]["test"] == 24
    assert data["origin"]["md5"] == catalog.ARCHIVES["imdb"].md5 and data["origin"]["official"] is True


def test_a_failed_fetch_is_one_line_and_writes_no_run(mirror, tmp_path, capsys):
    mirror.files.clear()
    assert main(["classify", "--data-dir", "cifar10", "--logdir", str(tmp_path), *QUIET]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "HTTP 404" in err and err.count("\n") == 1
    assert not (tmp_path / "classify").exists()
