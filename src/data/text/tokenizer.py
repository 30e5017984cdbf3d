"""The course's text processing, corrected: lower case, HTML tags out, punctuation out, stop words out of the
tokens themselves (the notebook removed them from the vocabulary only, so each became `<unk>`)."""

from __future__ import annotations

import re
from functools import cache

HTML_TAG = re.compile(r"<[^>]+>")  # `<br />` and friends, which IMDB's reviews are full of
PUNCTUATION = re.compile(r"[^\w\s]")  # as the course: removed, so "don't" becomes "dont"


@cache
def stop_words() -> frozenset[str]:
    """scikit-learn's English stop-word list (318 words; NLTK's would need a download)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def tokenize(text: str) -> list[str]:
    """The tokens of one review: lower-cased words without HTML tags, punctuation or stop words."""
    text = HTML_TAG.sub(" ", text.lower())
    text = PUNCTUATION.sub("", text)
    stops = stop_words()
    return [word for word in text.split() if word not in stops]
