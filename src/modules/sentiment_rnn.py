"""SentimentRNN: embedding -> dropout -> LSTM (or GRU) over packed sequences -> final hidden state -> dropout
-> linear: one logit per review, or one per class as the course's notebook (positive_logit reads either)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}
OUTPUT_DIMS = (1, 2)


class SentimentRNN(nn.Module):
    """Sequences are packed with their lengths, so the recurrent layer never reads padding (id 0), and the
    feature is the last layer's final hidden state: the state after each review's own last token, both
    directions concatenated when bidirectional (the backward direction's final state is the one after reading
    back to the first token). The course's notebook took only the backward state into an FC sized for one.

    `output_dim`: 1, one logit (sigmoid and binary cross-entropy), or 2, a logit per class, negative then
    positive (softmax and cross-entropy: the notebook's OUTPUT_DIM = 2, one more row of weights for the same
    decision). `course_init`: Xavier-normal embedding and linear weights, orthogonal recurrent weights, zero
    biases, as the course's notebook; otherwise torch's defaults (the padding row of the embedding is zero
    either way).
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int,
        hidden_dim: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        cell: str = "lstm",
        course_init: bool = False,
        output_dim: int = 1,
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {tuple(CELLS)}, got {cell!r}")
        if output_dim not in OUTPUT_DIMS:
            raise ValueError(f"output_dim must be one of {OUTPUT_DIMS}, got {output_dim!r}")
        self.cell, self.bidirectional = cell, bidirectional
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.rnn = CELLS[cell](
            embedding_dim,
            hidden_dim,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.fc = nn.Linear(hidden_dim * (2 if bidirectional else 1), output_dim)
        if course_init:
            nn.init.xavier_normal_(self.embedding.weight)
            nn.init.xavier_normal_(self.fc.weight)
            nn.init.zeros_(self.fc.bias)
            for name, parameter in self.rnn.named_parameters():
                (nn.init.orthogonal_ if name.startswith("weight") else nn.init.zeros_)(parameter)
        with torch.no_grad():
            self.embedding.weight[0].zero_()

    def features(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(B, T) token ids, (B,) lengths >= 1 -> (B, directions * hidden) final hidden states."""
        embedded = self.dropout(self.embedding(ids))  # (B, T, E)
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, hidden = self.rnn(packed)
        h_n = hidden[0] if isinstance(hidden, tuple) else hidden  # LSTM: (h_n, c_n); GRU: h_n
        # h_n: (layers * directions, B, H); the last layer's forward (and backward) states
        last = h_n[-2:] if self.bidirectional else h_n[-1:]
        return torch.cat(list(last), dim=1)  # (B, directions * H)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:  # -> (B, output_dim) logits
        return self.fc(self.dropout(self.features(ids, lengths)))


def positive_logit(outputs: torch.Tensor) -> torch.Tensor:
    """(B, 1) or (B, 2) outputs -> (B,) log-odds of positive: the one logit, or the positive class's logit less
    the negative's (softmax's probability of positive is the sigmoid of that difference)."""
    return outputs[:, 0] if outputs.shape[1] == 1 else outputs[:, 1] - outputs[:, 0]
