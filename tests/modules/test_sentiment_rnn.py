"""SentimentRNN: packing equals unpacked references, padding is never read, both directions are used."""

from __future__ import annotations

import pytest
import torch

from src.modules.sentiment_classifier import WarmupFactor
from src.modules.sentiment_rnn import SentimentRNN


def reference_features(model: SentimentRNN, ids: torch.Tensor, length: int) -> torch.Tensor:
    """One review, unpadded and unpacked: the forward state after its last token, the backward after its first."""
    output, _ = model.rnn(model.embedding(ids[:length])[None])  # (1, L, directions * H)
    hidden = model.rnn.hidden_size
    forward = output[0, -1, :hidden]
    return torch.cat([forward, output[0, 0, hidden:]]) if model.bidirectional else forward


@pytest.mark.parametrize(("cell", "bidirectional", "layers"), [("lstm", False, 1), ("lstm", True, 2), ("gru", True, 1)])
def test_packed_batches_equal_each_review_alone(cell, bidirectional, layers):
    torch.manual_seed(0)
    model = SentimentRNN(30, 6, 5, layers, bidirectional, dropout=0.3, cell=cell).eval()
    ids = torch.tensor([[3, 4, 5, 0, 0, 0], [6, 7, 8, 9, 10, 11], [12, 0, 0, 0, 0, 0]])
    lengths = torch.tensor([3, 6, 1])
    features = model.features(ids, lengths)
    assert features.shape == (3, 5 * (2 if bidirectional else 1))
    for i, length in enumerate(lengths.tolist()):
        torch.testing.assert_close(features[i], reference_features(model, ids[i], length))


def test_padding_is_never_read():
    torch.manual_seed(1)
    model = SentimentRNN(30, 4, 3, 1, True).eval()
    ids = torch.tensor([[3, 4, 5, 0, 0]])
    other = torch.tensor([[3, 4, 5, 17, 29]])  # what sits after the review's length must not matter
    torch.testing.assert_close(model(ids, torch.tensor([3])), model(other, torch.tensor([3])))


def test_course_initialisation():
    torch.manual_seed(0)
    model = SentimentRNN(1000, 100, 64, course_init=True)
    w = model.rnn.weight_hh_l0  # (4H, H): each gate's block orthogonal rows -> W W^T = I for the whole (4H x H)?
    torch.testing.assert_close(w.T @ w, torch.eye(64), atol=1e-5, rtol=0)  # orthogonal columns
    assert model.rnn.bias_ih_l0.abs().sum() == 0 and model.fc.bias.item() == 0
    assert model.embedding.weight[0].abs().sum() == 0  # the padding row
    std = model.embedding.weight[1:].std().item()
    assert abs(std - (2 / (1000 + 100)) ** 0.5) < 0.003  # Xavier normal: sqrt(2 / (fan_in + fan_out))


def test_warm_up_factor_at_chosen_steps():
    factor = WarmupFactor(200)
    assert [factor(s) for s in (0, 1, 100, 199, 200, 5000)] == [0.0, 0.005, 0.5, 0.995, 1.0, 1.0]
    assert WarmupFactor(0)(0) == 1.0
