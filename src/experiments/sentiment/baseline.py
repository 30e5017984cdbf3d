"""The bag-of-words baseline: TF-IDF of words and bigrams with logistic regression, fitted on the run's own
training split and scored on its test split, to show what the LSTM adds to counting words and word pairs."""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from src.data.text import Reviews
from src.data.text.tokenizer import HTML_TAG
from src.experiments.sentiment.analysis import binary_scores, test_confusion

# A word or bigram counts when two training reviews at least have it. C = 16 (the inverse regularisation) had the
# lowest validation loss of 0.25, 1, 4, 16 and 64 on the embedded snippets (seed 12's validation split, never
# its test split); liblinear, the solver for a sparse two-class problem, takes about a tenth of a second there.
NGRAMS, MIN_DF, C = (1, 2), 2, 16.0
DESCRIPTION = f"TF-IDF of words and bigrams (in {MIN_DF} training reviews at least), logistic regression (C {C:g})"


@dataclass(frozen=True)
class BagOfWords:
    probabilities: torch.Tensor  # (test reviews,) probability of positive, in review order
    features: int  # words and bigrams kept
    seconds: float  # vectorising both splits, fitting and predicting


def lower_without_tags(text: str) -> str:
    """The vectoriser's preprocessing: lower case, HTML tags (IMDB's `<br />`) read as spaces. Unlike the
    LSTM's tokens, stop words and negations stay: *not funny* is a bigram of its own."""
    return HTML_TAG.sub(" ", text.lower())


def fit_bag_of_words(train: Reviews, test: Reviews, seed: int) -> BagOfWords:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    vectorizer = TfidfVectorizer(preprocessor=lower_without_tags, ngram_range=NGRAMS, min_df=MIN_DF)
    features = vectorizer.fit_transform(train.texts)
    model = LogisticRegression(C=C, solver="liblinear", random_state=seed).fit(features, train.labels)
    positive = list(model.classes_).index(1)
    probabilities = model.predict_proba(vectorizer.transform(test.texts))[:, positive]
    seconds = time.perf_counter() - started
    return BagOfWords(torch.from_numpy(probabilities), features.shape[1], seconds)


def bag_of_words_results(baseline: BagOfWords, test_labels: torch.Tensor) -> dict:
    """results.json's "bag_of_words": the model, its size and time, and its test scores as the presets'."""
    confusion = test_confusion(baseline.probabilities, test_labels)
    return {
        "model": DESCRIPTION,
        "features": baseline.features,
        "seconds": baseline.seconds,
        "test": {**binary_scores(confusion["matrix"]), "confusion": confusion},
    }
