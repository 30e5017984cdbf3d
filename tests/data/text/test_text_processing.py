"""The tokeniser and vocabulary against hand-computed cases."""

from __future__ import annotations

import pytest

from src.data.text.encoded import encode_reviews
from src.data.text.reviews import Reviews
from src.data.text.tokenizer import stop_words, tokenize
from src.data.text.vocabulary import Vocabulary
from src.errors import UserError


def test_tokens_are_lower_case_without_html_punctuation_or_stop_words():
    text = "This movie was GREAT!<br /><br />I don't think it's <i>bad</i>, really... 10/10"
    # lower -> tags become spaces -> punctuation removed ("don't" -> "dont", "10/10" -> "1010") -> stop words out
    assert tokenize(text) == ["movie", "great", "dont", "think", "bad", "really", "1010"]
    assert tokenize("The end.<br/>It was the best") == ["end", "best"]  # "endit" if the tag were just dropped
    assert {"the", "it", "was"} <= stop_words() and "best" not in stop_words() and len(stop_words()) == 318


def test_vocabulary_keeps_frequent_tokens_by_count_then_name():
    tokenized = [["b", "a", "c"], ["a", "b"], ["a", "d"], ["b"]]  # a: 3, b: 3, c: 1, d: 1
    vocabulary = Vocabulary.build(tokenized, min_freq=2)
    assert vocabulary.tokens == ("<pad>", "<unk>", "a", "b")
    assert vocabulary.encode(["b", "zebra", "a", "c"], max_len=10) == [3, 1, 2, 1]  # unknown and rare: <unk>
    assert vocabulary.encode(["a", "b", "a"], max_len=2) == [2, 3]  # the first max_len tokens
    assert vocabulary.decode([3, 1, 2, 0, 0]) == ["b", "<unk>", "a"]
    assert Vocabulary.build(tokenized, min_freq=1).tokens == ("<pad>", "<unk>", "a", "b", "c", "d")


def test_vocabulary_round_trip_and_bad_files(tmp_path):
    vocabulary = Vocabulary.build([["x", "y", "x"]], min_freq=1)
    vocabulary.save(tmp_path / "vocabulary.json")
    assert Vocabulary.load(tmp_path / "vocabulary.json") == vocabulary
    (tmp_path / "bad.json").write_text('{"format": 1, "min_freq": 1, "tokens": ["x"]}')
    with pytest.raises(UserError, match="starting with <pad>, <unk>"):
        Vocabulary.load(tmp_path / "bad.json")
    with pytest.raises(UserError, match="not a vocabulary saved by this project"):
        Vocabulary.load(tmp_path / "none.json")


def test_encoding_truncates_and_keeps_a_review_with_nothing_left():
    reviews = Reviews(("great great film", "It was the.", "film " * 10), (1, 0, 1))
    vocabulary = Vocabulary.build([tokenize(t) for t in reviews.texts], min_freq=1)
    encoded = encode_reviews(reviews, vocabulary, max_len=4)
    assert [ids.tolist() for ids in encoded.ids] == [[3, 3, 2], [1], [2, 2, 2, 2]]  # film: 11, great: 2
    assert (encoded.empty, encoded.truncated) == (1, 1)
    assert encoded.labels.tolist() == [1.0, 0.0, 1.0]
