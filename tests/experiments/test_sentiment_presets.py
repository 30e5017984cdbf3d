"""The presets build the models they claim: the course's is the notebook's, parameter for parameter."""

from __future__ import annotations

import pytest
import torch

from src.experiments.sentiment.fit import build_sentiment_module
from src.experiments.sentiment.presets import PRESETS
from src.modules.sentiment_rnn import positive_logit

NOTEBOOK_VOCABULARY = 37_977  # the notebook's IMDB vocabulary (min_freq 5, <pad> and <unk> included)


def test_the_course_preset_has_the_notebooks_79379_parameters():
    """The notebook prints 'The model has 79,379 trainable parameters': embedding 37,977 x 1, LSTM(1, 100)
    4 x 100 x (1 + 100) weights + 2 x 4 x 100 biases = 41,200, linear 100 -> OUTPUT_DIM 2 = 202."""
    model = build_sentiment_module(PRESETS["course"], NOTEBOOK_VOCABULARY, test_size=1).model
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == 79_379
    assert model.embedding.weight.shape == (NOTEBOOK_VOCABULARY, 1)
    assert sum(p.numel() for p in model.rnn.parameters()) == 41_200
    assert model.fc.weight.shape == (2, 100) and sum(p.numel() for p in model.fc.parameters()) == 202


def test_the_default_preset_keeps_one_output():
    model = build_sentiment_module(PRESETS["default"], 1_000, test_size=1).model
    assert model.fc.weight.shape == (1, 2 * 128)  # both directions' final states, one logit
    lstm = 2 * (4 * 128 * (128 + 128) + 2 * 4 * 128)  # per direction: input and hidden weights, two biases
    assert sum(p.numel() for p in model.parameters()) == 1_000 * 128 + lstm + 256 + 1


@pytest.mark.parametrize("preset", ["default", "course"])
def test_both_heads_give_a_probability_per_review(preset):
    model = build_sentiment_module(PRESETS[preset], 50, test_size=1).model.eval()
    outputs = model(torch.tensor([[3, 4, 5], [6, 0, 0]]), torch.tensor([3, 1]))
    assert outputs.shape == (2, PRESETS[preset].output_dim)
    expected = torch.sigmoid(outputs[:, 0]) if outputs.shape[1] == 1 else torch.softmax(outputs, dim=1)[:, 1]
    torch.testing.assert_close(torch.sigmoid(positive_logit(outputs)), expected)
