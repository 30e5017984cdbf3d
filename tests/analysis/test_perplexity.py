"""Perplexity equals independent computations from the model's own loss: sliding window and line by line."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from lm_models import VOCAB, reference_sliding, tiny_gpt2, tiny_llama

from src.analysis.perplexity import line_by_line, sliding_window, windows


@pytest.fixture(scope="module", params=["gpt2", "llama"])
def model(request):
    return tiny_gpt2() if request.param == "gpt2" else tiny_llama()


@pytest.mark.parametrize(("length", "window", "stride"), [(200, 32, 16), (200, 32, 31), (57, 64, 8), (100, 10, 3)])
def test_sliding_window_equals_the_documented_loop(model, length, window, stride):
    ids = torch.randint(0, VOCAB, (length,), generator=torch.Generator().manual_seed(length))
    ours = sliding_window(model, ids, window, stride, batch_size=3)
    assert ours.predicted == length - 1  # N tokens predict N-1
    assert ours.perplexity == pytest.approx(reference_sliding(model, ids, window, stride), rel=1e-5)


def test_one_window_over_the_whole_text_is_the_models_own_mean_loss(model):
    ids = torch.randint(0, VOCAB, (50,), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        loss = float(model(ids[None], labels=ids[None]).loss)
    assert sliding_window(model, ids, 64, 32).loss == pytest.approx(loss, rel=1e-5)


@settings(max_examples=60, deadline=None)
@given(length=st.integers(2, 300), window=st.integers(2, 40), data=st.data())
def test_windows_score_every_token_after_the_first_exactly_once(length, window, data):
    stride = data.draw(st.integers(1, window - 1)) if window > 1 else 1
    scored = [t for begin, end, first in windows(length, window, stride) for t in range(first, end)]
    assert scored == list(range(1, length))
    for begin, end, first in windows(length, window, stride):
        assert end - begin <= window and first > begin  # each scored token has context in its own window


def test_line_by_line_scores_each_line_alone_and_reports_the_courses_divisor(model):
    generator = torch.Generator().manual_seed(2)
    lines = [torch.randint(0, VOCAB, (n,), generator=generator) for n in (5, 1, 12, 30, 2)]
    nll, predicted = 0.0, 0
    for line in lines:
        if len(line) > 1:
            with torch.no_grad():
                nll += float(model(line[None], labels=line[None]).loss) * (len(line) - 1)
            predicted += len(line) - 1
    ours = line_by_line(model, lines, window=64, batch_size=2)
    assert ours.predicted == predicted == sum(len(x) - 1 for x in lines)
    assert ours.perplexity == pytest.approx(math.exp(nll / predicted), rel=1e-5)
    assert ours.course_divisor == sum(len(x) for x in lines)
    assert ours.course_perplexity == pytest.approx(math.exp(nll / ours.course_divisor), rel=1e-5)
    assert ours.course_perplexity < ours.perplexity  # dividing by N where N-1 are predicted flatters the model
