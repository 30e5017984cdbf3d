"""`lm --model <Hub id> --data wikitext-2` and `generate RUN` through the real huggingface_hub and transformers,
against a Hub endpoint on 127.0.0.1 (tests/hub_server.py) serving a tiny GPT-2 and WikiText-style parquet files
at the pinned revision; then again offline from the Hub's cache with the server stopped."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from src.cli import main
from src.data.downloads import hub as hub_module
from src.data.downloads.catalog import HUB_DATASETS
from src.data.lm.gpt2_bpe import EOS, VOCAB_SIZE, load_gpt2_tokenizer
from src.data.lm.texts import HAMLET, load_texts
from src.data.lm.wheel_files import wheel_file
from src.errors import UserError
from tests.hub_server import HubServer, use_hub

WIKITEXT = HUB_DATASETS["wikitext-2"]
MODEL = "some/tiny-gpt2"
SMALL = ["--max-steps", "2", "--val-every", "2", "--block-size", "32", "--batch-size", "2", "--window", "32",
         "--stride", "16", "--max-new-tokens", "4", "--prompts", "To be", "--no-progress-bar"]  # fmt: skip


def parquet(lines: list[str]) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"text": [line + "\n" for line in lines]}), sink)
    return sink.getvalue().to_pybytes()


@pytest.fixture(scope="module")
def hamlet() -> list[str]:
    return wheel_file(*HAMLET, "hamlet").read_text(encoding="utf-8").splitlines()[:400]


@pytest.fixture(scope="module")
def tiny_model_folder(tmp_path_factory):
    from transformers import GPT2Config, GPT2LMHeadModel

    folder = tmp_path_factory.mktemp("tiny-gpt2")
    tokenizer = load_gpt2_tokenizer()
    eos = tokenizer.convert_tokens_to_ids(EOS)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=VOCAB_SIZE, n_layer=1, n_head=2, n_embd=16, n_positions=64, bos_token_id=eos,
                        eos_token_id=eos)  # fmt: skip
    GPT2LMHeadModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def hub(monkeypatch, tmp_path, hamlet, tiny_model_folder):
    with HubServer() as server:
        server.add_repo(MODEL, tiny_model_folder)
        files = {WIKITEXT.files[0]: parquet(hamlet[:300]), WIKITEXT.files[1]: parquet(hamlet[300:350]),
                 WIKITEXT.files[2]: parquet(hamlet[350:])}  # fmt: skip
        server.add_repo(WIKITEXT.repo, files, repo_type="dataset", revision=WIKITEXT.revision)
        use_hub(monkeypatch, server.endpoint, tmp_path)
        monkeypatch.setenv("CLASSIC_DL_CACHE", str(tmp_path / "cache"))
        yield server


def test_wikitext_2_by_name_is_the_pinned_revisions_three_files(hub, hamlet, monkeypatch, tmp_path):
    texts = load_texts("wikitext-2")
    assert (list(texts.train), list(texts.val), list(texts.test)) == (hamlet[:300], hamlet[300:350], hamlet[350:])
    assert texts.origin == {"name": "wikitext-2", "hub": WIKITEXT.repo, "revision": WIKITEXT.revision,
                            "files": list(WIKITEXT.files)}  # fmt: skip
    assert texts.describe()["origin"]["revision"] == WIKITEXT.revision
    fetched = [path for method, path in hub.requests if method == "GET"]
    files = [f"/datasets/{WIKITEXT.repo}/resolve/{WIKITEXT.revision}/{name}" for name in WIKITEXT.files]
    listing = f"/api/datasets/{WIKITEXT.repo}/tree/{WIKITEXT.revision}/wikitext-2-raw-v1"  # the sha256 to check
    assert fetched == [*files, listing]
    hub.stop()
    use_hub(monkeypatch, hub.endpoint, tmp_path, offline=True)
    assert load_texts("wikitext-2") == texts


def test_a_hub_without_the_dataset_or_without_the_network_is_one_line(hub, monkeypatch, tmp_path, capsys):
    hub.repos.clear()
    assert main(["lm", "--data", "wikitext-2", "--model", "gpt2-tiny", "--logdir", str(tmp_path), *SMALL]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: --data wikitext-2 ({WIKITEXT.repo} at {WIKITEXT.revision[:12]} on the Hugging Face Hub): "
                   f"no such repository on {hub.endpoint} (or it is private)\n")  # fmt: skip
    use_hub(monkeypatch, hub.endpoint, tmp_path, offline=True)
    assert main(["lm", "--data", "wikitext-2", "--model", "gpt2-tiny", "--logdir", str(tmp_path), *SMALL]) == 2
    err = capsys.readouterr().err
    assert "cannot fetch it from" in err and "HF_HUB_OFFLINE=1 and it is not in the Hub cache" in err
    assert "download " + ", ".join(name.rsplit("/", 1)[1] for name in WIKITEXT.files) + " by hand" in err
    assert err.count("\n") == 1 and not (tmp_path / "lm").exists()


def test_a_model_that_is_not_on_the_hub_is_one_line(hub, tmp_path, capsys):
    assert main(["lm", "--model", "some/missing", "--logdir", str(tmp_path), *SMALL]) == 2
    message = f"--model some/missing: no such folder, and no such repository on {hub.endpoint} (or it is private)"
    assert capsys.readouterr().err == f"error: {message}\n"


def test_lm_with_a_hub_model_on_wikitext_2_then_generate_offline(hub, monkeypatch, tmp_path, tiny_model_folder, capsys):
    from transformers import AutoModelForCausalLM

    assert main(["lm", "--model", MODEL, "--data", "wikitext-2", "--logdir", str(tmp_path / "runs"), *SMALL]) == 0
    run_dir = tmp_path / "runs" / "lm" / "version_0"
    results = json.loads((run_dir / "results.json").read_text())
    assert results["data"]["origin"]["revision"] == WIKITEXT.revision
    assert results["config"]["model"] == MODEL
    assert f"{MODEL} from the Hugging Face Hub, revision {'cafe' * 10}" in results["model"]["description"]
    fetched = {path.rsplit("/", 1)[1] for method, path in hub.requests if method == "GET" and "/resolve/" in path}
    wanted = {name.rsplit("/", 1)[1] for name in WIKITEXT.files} | {path.name for path in tiny_model_folder.iterdir()}
    assert fetched == wanted

    assert results["model"]["revision"] == "cafe" * 10
    hub.stop()  # generate finds the base model in the Hub's cache at the run's revision, with no network
    capsys.readouterr()
    assert main(["generate", str(run_dir), "--variant", "pretrained", "--prompt", "To be", "--greedy",
                 "--max-new-tokens", "5", "--repetition-penalty", "1"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    tokenizer = load_gpt2_tokenizer()
    model = AutoModelForCausalLM.from_pretrained(tiny_model_folder).eval()
    ids = tokenizer("To be", return_tensors="pt")["input_ids"]
    out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=5, do_sample=False, pad_token_id=0)
    assert "To be" + tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True) in printed
    assert main(["generate", str(run_dir), "--variant", "lora", "--prompt", "To be", "--max-new-tokens", "3"]) == 0
    use_hub(monkeypatch, hub.endpoint, tmp_path, offline=True)  # and with HF_HUB_OFFLINE=1
    assert (
        main(["generate", str(run_dir), "--variant", "pretrained", "--prompt", "To be", "--max-new-tokens", "2"]) == 0
    )


def test_a_dataset_file_that_is_not_what_the_hub_lists_is_deleted(hub, monkeypatch):
    listed = hub_module.listed_sha256(WIKITEXT.repo, WIKITEXT.files, WIKITEXT.revision)
    assert set(listed) == set(WIKITEXT.files) and all(len(digest) == 64 for digest in listed.values())
    wrong = {**listed, WIKITEXT.files[1]: "0" * 64}
    monkeypatch.setattr(hub_module, "listed_sha256", lambda *args: wrong)
    with pytest.raises(
        UserError, match=rf"validation-00000-of-00001.parquet has sha256 {listed[WIKITEXT.files[1]]}, not 0{{64}}"
    ):
        load_texts("wikitext-2")
    monkeypatch.setattr(hub_module, "listed_sha256", lambda *args: listed)
    assert load_texts("wikitext-2").val  # fetched again: the bad file was not kept
