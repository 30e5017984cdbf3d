"""layer_summary: SimpleNN's Table 2, and any model's rows against FlopCounterMode and sum(p.numel())."""

from __future__ import annotations

import csv
import io

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from src.callbacks import layer_summary  # the import path the issue asks for
from src.modules import Conv2d, Linear, SimpleNN

# Table 2 of the course, as the issue states it: (name, input, output, weight, weight params, bias params, MACs)
SIMPLENN_ROWS = [
    ("conv1", (1, 3, 32, 32), (1, 16, 32, 32), (16, 3, 5, 5), 1200, 0, 1_228_800),
    ("conv2", (1, 16, 15, 15), (1, 16, 17, 17), (16, 16, 3, 3), 2304, 0, 665_856),
    ("conv3", (1, 16, 8, 8), (1, 32, 6, 6), (32, 16, 7, 7), 25_088, 0, 903_168),
    ("fc1", (1, 288), (1, 32), (32, 288), 9216, 32, 9216),
    ("fc2", (1, 32), (1, 10), (10, 32), 320, 10, 320),
]


def test_simplenn_rows_are_table_2():
    table = layer_summary(SimpleNN(), torch.zeros(1, 3, 32, 32))
    got = [
        (r.name, r.input_shape, r.output_shape, r.weight_shape, r.weight_params, r.bias_params, r.macs)
        for r in table.rows
    ]
    assert got == SIMPLENN_ROWS
    assert [r.type for r in table.rows] == ["Conv2d"] * 3 + ["Linear"] * 2
    assert table.total_params == 38_170 == sum(p.numel() for p in SimpleNN().parameters())
    assert table.total_macs == sum(row[-1] for row in SIMPLENN_ROWS) == 2_807_360
    assert table.notes == []


def test_simplenn_macs_are_flop_counter_mode_over_two_per_sample():
    model = SimpleNN()
    x = torch.zeros(4, 3, 32, 32)  # per sample: the batch of 4 is divided out
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    table = layer_summary(model, x)
    assert table.total_macs == counter.get_total_flops() // 2 // 4
    counts = counter.get_flop_counts()
    for row in table.rows:
        assert row.macs == sum(counts[f"SimpleNN.{row.name}"].values()) // 2 // 4, row.name
    assert table.rows[0].input_shape == (4, 3, 32, 32)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.grouped = Conv2d(8, 16, 3, stride=2, padding=1, groups=4, bias=True)  # ours, grouped, strided, bias
        self.depthwise = nn.Conv2d(16, 16, 3, padding=2, dilation=2, groups=16)  # torch's, depthwise, dilated
        self.norm = nn.BatchNorm2d(16)  # parameters but no MACs
        self.kernel = nn.Parameter(torch.randn(16, 1, 3, 3))  # used by a functional conv below

    def forward(self, x):
        x = self.norm(self.depthwise(self.grouped(x)))
        return F.conv2d(x, self.kernel, padding=1, groups=16)


class Mixed(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 5, stride=2, padding="valid")
        self.blocks = nn.ModuleList([Block()])
        self.shared = Linear(784, 784, bias=False)  # called twice
        self.head = nn.Sequential(nn.Flatten(), Linear(784, 20), nn.ReLU(), nn.Linear(20, 4, bias=False))

    def forward(self, x):
        x = self.blocks[0](self.stem(x)).flatten(1)
        return self.head(self.shared(self.shared(x)))


def test_mixed_model_totals_and_rows_agree_with_flop_counter_mode():
    model = Mixed()
    x = torch.randn(3, 3, 32, 32)
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    model.train()
    table = layer_summary(model, x)

    assert table.total_params == sum(p.numel() for p in model.parameters())
    assert table.total_macs == counter.get_total_flops() // 2 // 3
    assert sum(row.macs for row in table.rows) == table.total_macs  # the rows add up
    assert sum(row.params for row in table.rows) == table.total_params
    assert table.notes == []

    rows = {row.name: row for row in table.rows}
    counts = {key: sum(ops.values()) // 2 // 3 for key, ops in counter.get_flop_counts().items()}
    for name in ("stem", "blocks.0.grouped", "blocks.0.depthwise", "head.1", "head.3"):
        assert rows[name].macs == counts[f"Mixed.{name}"], name
    # hand-computed: grouped 7x7 out, 3x3 kernel, 8/4 in per group, 16 out; depthwise 7x7, 3x3, 1, 16
    assert rows["blocks.0.grouped"].macs == 7 * 7 * 3 * 3 * 2 * 16
    assert rows["blocks.0.depthwise"].macs == 7 * 7 * 3 * 3 * 1 * 16
    # the functional conv is its own row, attributed to the module whose forward runs it
    assert rows["blocks.0"].macs == 7 * 7 * 3 * 3 * 1 * 16 and "functional" in rows["blocks.0"].type
    assert rows["blocks.0"].weight_params == 16 * 9  # the parameter it owns
    assert rows["blocks.0.norm"].macs == 0 and rows["blocks.0.norm"].params == 32
    assert rows["shared"].calls == 2 and rows["shared"].macs == 2 * 784 * 784
    assert rows["head.3"].bias_params == 0 and rows["head.1"].bias_params == 20


def test_summary_leaves_no_trace():
    model = Mixed()
    model.blocks[0].norm.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    layer_summary(model, torch.randn(2, 3, 32, 32))
    assert all(not m._forward_hooks and not m._forward_pre_hooks and not m._backward_hooks for m in model.modules())
    assert not torch.nn.modules.module._global_forward_hooks
    assert not torch.nn.modules.module._global_forward_pre_hooks
    assert all(m.training for m in model.modules())  # modes restored
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # BatchNorm statistics untouched
    assert all(p.grad is None for p in model.parameters())

    model.eval()
    layer_summary(model, torch.randn(2, 3, 32, 32))
    assert not any(m.training for m in model.modules())


def test_exports():
    table = layer_summary(SimpleNN(), torch.zeros(1, 3, 32, 32))
    section = table.as_dict()
    assert [layer["name"] for layer in section["layers"]] == ["conv1", "conv2", "conv3", "fc1", "fc2"]
    assert section["layers"][0]["input_shape"] == [1, 3, 32, 32]
    assert section["totals"] == {
        "params": 38_170,
        "trainable_params": 38_170,
        "macs": 2_807_360,
        "weight_params": 38_128,
        "bias_params": 42,
    }
    rows = list(csv.DictReader(io.StringIO(table.to_csv())))
    assert rows[0]["name"] == "conv1" and int(rows[0]["macs"]) == 1_228_800
    assert rows[-1]["name"] == "total" and int(rows[-1]["params"]) == 38_170
    markdown = table.to_markdown()
    assert "| conv3 | Conv2d | (1,16,8,8) | (1,32,6,6) | (32,16,7,7) | 25,088 | 903,168 |" in markdown
    assert "| fc1 | Linear | (1,288) | (1,32) | (32,288) | 9,216 + 32 | 9,216 |" in markdown


@pytest.mark.parametrize("batch", [1, 5])
def test_per_sample_independent_of_batch(batch):
    table = layer_summary(SimpleNN(), torch.zeros(batch, 3, 32, 32))
    assert [row.macs for row in table.rows] == [row[-1] for row in SIMPLENN_ROWS]


def test_grouped_tables_keep_the_totals():
    from src.modules.resnet import ResNetCifar

    table = layer_summary(ResNetCifar(20, "B"), torch.zeros(1, 3, 32, 32))
    for level in (1, 2):
        grouped = table.grouped(level)
        assert sum(r.params for r in grouped.rows) == table.total_params == grouped.total_params
        assert sum(r.macs for r in grouped.rows) == table.total_macs
    names = [row.name for row in table.grouped(1).rows]
    assert names == ["conv", "bn", "stage1", "stage2", "stage3", "fc"]
    stage2 = table.grouped(2).rows[5]  # stage2.0: two convs + BNs and the 1x1 projection + BN
    assert (stage2.name, stage2.type, stage2.input_shape, stage2.output_shape) == (
        "stage2.0", "6 layers", (1, 16, 32, 32), (1, 32, 16, 16)
    )  # fmt: skip


@pytest.mark.parametrize(("cell", "bidirectional", "layers"), [("lstm", False, 1), ("lstm", True, 2), ("gru", True, 1)])
def test_recurrent_layers_count_their_macs_per_token_read(cell, bidirectional, layers):
    from src.analysis.layer_summary import recurrent_macs_per_token
    from src.modules.sentiment_rnn import SentimentRNN

    model = SentimentRNN(500, 12, 7, layers, bidirectional, cell=cell)
    weights = sum(p.numel() for name, p in model.rnn.named_parameters() if name.startswith("weight"))
    assert recurrent_macs_per_token(model.rnn) == weights  # every weight multiplies once per token
    lengths = torch.tensor([9, 5, 1])  # 15 tokens: 5 per review on average
    table = layer_summary(model, (torch.ones(3, 9, dtype=torch.long), lengths))
    rows = {row.name: row for row in table.rows}
    assert rows["rnn"].macs == int(lengths.sum()) * weights // 3  # per sample: only real tokens are read
    assert rows["embedding"].macs == 0 and rows["embedding"].params == 500 * 12
    assert rows["rnn"].bias_params == sum(p.numel() for n, p in model.rnn.named_parameters() if n.startswith("bias"))
    assert table.total_macs == sum(row.macs for row in table.rows) and not table.notes


def test_an_lstm_cell_loop_under_flopcountermode_agrees():
    """An independent count: nn.LSTMCell runs as plain matrix products, which FlopCounterMode sees."""
    from src.analysis.layer_summary import recurrent_macs_per_token

    lstm, cell = nn.LSTM(6, 5), nn.LSTMCell(6, 5)
    steps, batch = 7, 2
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        h = c = torch.zeros(batch, 5)
        for x in torch.randn(steps, batch, 6):
            h, c = cell(x, (h, c))
    assert counter.get_total_flops() // 2 == steps * batch * recurrent_macs_per_token(lstm)
