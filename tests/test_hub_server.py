"""tests/hub_server.py against the real huggingface_hub and transformers: a pinned dataset file, the Hub's 404s,
resumed downloads, a tiny GPT-2 through from_pretrained, and the second run offline from the cache."""

from __future__ import annotations

import io
import urllib.error
import urllib.request

import pytest
from hub_server import DEFAULT_COMMIT, HubServer, use_hub
from huggingface_hub import hf_hub_download
from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

WIKITEXT = "Salesforce/wikitext"
REVISION = "b08601e04326c79dfdd32d625aee71d232d685c3"
SPLITS = {split: f"wikitext-2-raw-v1/{split}-00000-of-00001.parquet" for split in ("train", "validation", "test")}


@pytest.fixture
def hub(monkeypatch, tmp_path):
    with HubServer() as server:
        use_hub(monkeypatch, server.endpoint, tmp_path)
        yield server


def parquet_bytes(texts: list[str]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": texts}), buffer)
    return buffer.getvalue()


def download(filename: str, revision: str = REVISION, repo_id: str = WIKITEXT) -> str:
    return hf_hub_download(repo_id=repo_id, repo_type="dataset", filename=filename, revision=revision)


def test_dataset_files_at_the_pinned_revision_then_offline(hub, monkeypatch, tmp_path):
    files = {name: parquet_bytes([f" = {split} = \n", "some text\n"]) for split, name in SPLITS.items()}
    hub.add_repo(WIKITEXT, files, repo_type="dataset", revision=REVISION)

    paths = {name: download(name) for name in files}
    for name, path in paths.items():
        assert open(path, "rb").read() == files[name]
        assert f"/snapshots/{REVISION}/{name}" in path
    url = f"/datasets/{WIKITEXT}/resolve/{REVISION}/"
    assert hub.requests == [(method, url + name) for name in files for method in ("HEAD", "GET")]

    hub.stop()
    use_hub(monkeypatch, hub.endpoint, tmp_path, offline=True)
    assert {name: download(name) for name in files} == paths


def test_the_hubs_errors(hub):
    hub.add_repo(WIKITEXT, {SPLITS["train"]: parquet_bytes(["x"])}, repo_type="dataset", revision=REVISION)
    with pytest.raises(EntryNotFoundError):
        download("wikitext-2-raw-v1/missing.parquet")
    with pytest.raises(RevisionNotFoundError):
        download(SPLITS["train"], revision="0" * 40)
    with pytest.raises(RepositoryNotFoundError):
        download(SPLITS["train"], repo_id="Salesforce/not-there")
    with pytest.raises(RepositoryNotFoundError):  # a model repo is not a dataset repo
        hf_hub_download(repo_id=WIKITEXT, filename=SPLITS["train"], revision=REVISION)


def test_head_and_resumed_get(hub):
    content = bytes(range(256)) * 4
    hub.add_repo("some/blob", {"data.bin": content})
    url = f"{hub.endpoint}/some/blob/resolve/main/data.bin"

    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as response:
        assert response.status == 200 and response.read() == b""
        assert response.headers["X-Repo-Commit"] == DEFAULT_COMMIT
        assert response.headers["Content-Length"] == str(len(content))
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Range": "bytes=1000-"})) as response:
        assert response.status == 206 and response.read() == content[1000:]
        assert response.headers["Content-Range"] == f"bytes 1000-{len(content) - 1}/{len(content)}"
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(urllib.request.Request(url, headers={"Range": f"bytes={len(content)}-"}))
    assert error.value.code == 416


def tiny_gpt2_folder(folder):
    """A tiny random GPT-2 with the real GPT-2 BPE tokenizer, saved with save_pretrained."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from src.data.lm.gpt2_bpe import load_gpt2_tokenizer

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=96, n_layer=2, n_head=2, n_embd=32, n_positions=64, bos_token_id=0, eos_token_id=0)
    model = GPT2LMHeadModel(config).eval()
    model.save_pretrained(folder)
    load_gpt2_tokenizer().save_pretrained(folder)
    return model


def test_tiny_gpt2_from_pretrained_then_offline(hub, monkeypatch, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = tiny_gpt2_folder(tmp_path / "tiny-gpt2")
    hub.add_repo("some/tiny-gpt2", tmp_path / "tiny-gpt2")
    hub.add_repo("gpt2", tmp_path / "tiny-gpt2")
    ids = torch.tensor([[1, 5, 7, 95, 0]])
    expected = model(ids).logits

    def load_and_check(repo_id: str) -> None:
        loaded = AutoModelForCausalLM.from_pretrained(repo_id).eval()
        with torch.no_grad():
            assert torch.equal(loaded(ids).logits, expected)
        assert AutoTokenizer.from_pretrained(repo_id).encode("Hello world") == [15496, 995]

    for repo_id in ("some/tiny-gpt2", "gpt2"):
        load_and_check(repo_id)
    fetched = {path for method, path in hub.requests if method == "GET"}
    for name in ("config.json", "model.safetensors", "generation_config.json", "tokenizer.json"):
        assert f"/some/tiny-gpt2/resolve/{DEFAULT_COMMIT}/{name}" in fetched
        assert f"/gpt2/resolve/{DEFAULT_COMMIT}/{name}" in fetched
    assert ("HEAD", f"/some/tiny-gpt2/resolve/{DEFAULT_COMMIT}/chat_template.jinja") in hub.requests  # 404: none

    hub.stop()
    use_hub(monkeypatch, hub.endpoint, tmp_path, offline=True)
    for repo_id in ("some/tiny-gpt2", "gpt2"):
        load_and_check(repo_id)
