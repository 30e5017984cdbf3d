"""layer_summary: per-layer shapes, parameters and MACs of any model, from one forward pass (Table 2).

One row per Conv2d/Linear (ours or torch's, at any depth), plus one row for any other module that owns
parameters itself or does multiply-accumulates outside those layers (a functional F.conv2d, a BatchNorm's
affine parameters), so the rows add up to the totals. Conventions (DESIGN.md): MACs per sample, bias not
counted; conv H_out*W_out*K_h*K_w*(C_in/groups)*C_out, linear in*out. Total MACs are
FlopCounterMode FLOPs / 2, plus those of LSTM/GRU/RNN layers, whose fused kernels FlopCounterMode does not see
(counted per token read, see recurrent_macs_per_token); total parameters sum(p.numel()). The model is
left exactly as it was: hooks removed, train/eval modes restored, no gradients recorded.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from src.internals import flop_counts_by_module
from src.modules.layers import Conv2d, Linear

LISTED = (Conv2d, Linear, nn.Conv2d, nn.Linear)
RECURRENT = (nn.LSTM, nn.GRU, nn.RNN)  # FlopCounterMode does not see inside their fused kernels
GATES = {nn.LSTM: 4, nn.GRU: 3, nn.RNN: 1}
TOP_LEVEL = "(top level)"
CSV_HEADER = [
    "name",
    "type",
    "input_shape",
    "output_shape",
    "weight_shape",
    "weight_params",
    "bias_params",
    "params",
    "macs",
]


@dataclass
class LayerRow:
    name: str
    type: str
    input_shape: tuple[int, ...] | None = None
    output_shape: tuple[int, ...] | None = None
    weight_shape: tuple[int, ...] | None = None
    weight_params: int = 0
    bias_params: int = 0
    macs: int = 0  # per sample
    calls: int = 0

    @property
    def params(self) -> int:
        return self.weight_params + self.bias_params


@dataclass
class LayerTable:
    rows: list[LayerRow]
    total_params: int
    trainable_params: int
    total_macs: int  # per sample
    batch_size: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The results.json section: {"layers": [...], "totals": {...}}."""
        layers = []
        for row in self.rows:
            entry = asdict(row)
            for key in ("input_shape", "output_shape", "weight_shape"):
                entry[key] = None if entry[key] is None else list(entry[key])
            entry["params"] = row.params
            layers.append(entry)
        totals = {
            "params": self.total_params,
            "trainable_params": self.trainable_params,
            "macs": self.total_macs,
            "weight_params": sum(row.weight_params for row in self.rows),
            "bias_params": sum(row.bias_params for row in self.rows),
        }
        return {"layers": layers, "totals": totals}

    def grouped(self, level: int) -> LayerTable:
        """The same totals with the rows summed per module at `level` of the name ("stage1.0.conv1" belongs to
        "stage1" at level 1 and to "stage1.0" at level 2): a deep network's table at the size of its blocks. A
        group's input is its first row's, its output its last row's."""
        groups: dict[str, list[LayerRow]] = {}
        for row in self.rows:
            groups.setdefault(".".join(row.name.split(".")[:level]), []).append(row)
        rows = []
        for name, members in groups.items():
            kind = members[0].type if len(members) == 1 else f"{len(members)} layers"
            rows.append(
                LayerRow(
                    name=name,
                    type=kind,
                    input_shape=members[0].input_shape,
                    output_shape=members[-1].output_shape,
                    weight_shape=members[0].weight_shape if len(members) == 1 else None,
                    weight_params=sum(row.weight_params for row in members),
                    bias_params=sum(row.bias_params for row in members),
                    macs=sum(row.macs for row in members),
                    calls=max(row.calls for row in members),
                )
            )
        return dataclasses.replace(self, rows=rows, notes=list(self.notes))

    def table_rows(self) -> list[list[str]]:
        header = ["layer", "type", "input", "output", "weight", "params (w + b)", "MACs"]
        rows = [header]
        for row in self.rows:
            params = f"{row.weight_params:,}" + (f" + {row.bias_params:,}" if row.bias_params else "")
            rows.append(
                [
                    row.name,
                    row.type,
                    _shape(row.input_shape),
                    _shape(row.output_shape),
                    _shape(row.weight_shape),
                    params,
                    f"{row.macs:,}",
                ]
            )
        rows.append(["total", "", "", "", "", f"{self.total_params:,}", f"{self.total_macs:,}"])
        return rows

    def to_text(self) -> str:
        rows = self.table_rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        right = {5, 6}
        lines = []
        for index, row in enumerate(rows):
            cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
            lines.append("  ".join(cells).rstrip())
            if index in (0, len(rows) - 2):
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def console_block(self, model_name: str) -> str:
        """The table under a heading, as the console summaries print it."""
        return f"{model_name}: per-layer summary (per sample)\n{self.to_text()}"

    def to_markdown(self) -> str:
        rows = self.table_rows()
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        note = f"\n\nMACs and shapes per sample of batch size {self.batch_size}; bias additions are not counted."
        return "\n".join(lines) + note

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        for row in self.rows:
            writer.writerow(
                [
                    row.name,
                    row.type,
                    _shape(row.input_shape),
                    _shape(row.output_shape),
                    _shape(row.weight_shape),
                    row.weight_params,
                    row.bias_params,
                    row.params,
                    row.macs,
                ]
            )
        writer.writerow(["total", "", "", "", "", "", "", self.total_params, self.total_macs])
        return out.getvalue()


def layer_summary(model: nn.Module, example_input: torch.Tensor | Sequence[torch.Tensor]) -> LayerTable:
    """Run `model` once on `example_input` (first dimension = batch) and tabulate every layer."""
    inputs = (example_input,) if isinstance(example_input, torch.Tensor) else tuple(example_input)
    batch = int(inputs[0].shape[0]) if inputs[0].dim() > 0 else 1
    names = {module: name for name, module in model.named_modules(remove_duplicate=False)}
    seen: dict[nn.Module, LayerRow] = {}
    recurrent_macs: dict[nn.Module, int] = {}  # whole batch, from the formula (see recurrent_macs_per_token)

    def hook(module: nn.Module, args: tuple, output: object) -> None:
        row = seen.setdefault(module, LayerRow(name=names[module] or TOP_LEVEL, type=_type_name(module)))
        row.calls += 1
        if args and isinstance(args[0], torch.Tensor):
            row.input_shape = tuple(args[0].shape)
        if isinstance(module, RECURRENT) and args:
            tokens, shape = _recurrent_tokens(module, args[0])
            row.input_shape = shape
            recurrent_macs[module] = recurrent_macs.get(module, 0) + tokens * recurrent_macs_per_token(module)
        if isinstance(output, torch.Tensor):
            row.output_shape = tuple(output.shape)
            if isinstance(module, LISTED):
                row.macs += _layer_macs(module, output)  # for the whole batch; divided below

    was_training = {module: module.training for module in model.modules()}
    handles = [module.register_forward_hook(hook) for module in model.modules()]
    try:
        model.eval()  # no BatchNorm statistics updates, no dropout: the summary must not change the model
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        for module, training in was_training.items():
            module.training = training

    exclusive = _exclusive_macs(counter)
    rows, uncounted = [], 0
    for module, name in names.items():
        own_params = dict(module.named_parameters(recurse=False))
        listed = isinstance(module, LISTED)
        extra_macs = 0 if listed else exclusive.get(name, 0)
        if not (listed or own_params or extra_macs):
            continue
        row = seen.get(module) or LayerRow(name=name or TOP_LEVEL, type=_type_name(module))
        if not listed:
            row.macs = extra_macs
            if extra_macs and not isinstance(module, RECURRENT):
                row.type += " (functional ops)"
        if module in recurrent_macs and not extra_macs:  # counted by the formula, FlopCounterMode saw none
            row.macs = recurrent_macs[module]
            uncounted += row.macs
        weight = own_params.get("weight")
        row.weight_shape = None if weight is None else tuple(weight.shape)
        biases = [p for key, p in own_params.items() if key == "bias" or key.startswith("bias_")]
        row.bias_params = sum(p.numel() for p in biases)
        row.weight_params = sum(p.numel() for p in own_params.values()) - row.bias_params
        rows.append(row)

    notes = []
    total_flops = counter.get_total_flops()
    for row in rows:
        row.macs = _per_sample(row.macs, batch, row.name, notes)
    total_macs = _per_sample(total_flops // 2 + uncounted, batch, "total", notes)
    listed_sum = sum(row.macs for row in rows)
    if listed_sum != total_macs:
        notes.append(f"rows add up to {listed_sum:,} MACs but FlopCounterMode counts {total_macs:,}")
    return LayerTable(
        rows=rows,
        total_params=sum(p.numel() for p in model.parameters()),
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        total_macs=total_macs,
        batch_size=batch,
        notes=notes,
    )


def recurrent_macs_per_token(module: nn.Module) -> int:
    """Multiply-accumulates per input token of an LSTM/GRU/RNN: for each layer and direction, gates x hidden x
    (layer input + hidden) for the input and recurrent matrices (biases and the gates' elementwise products
    not counted, as for every layer here)."""
    directions = 2 if module.bidirectional else 1
    hidden, total = module.hidden_size, 0
    for layer in range(module.num_layers):
        width = module.input_size if layer == 0 else hidden * directions
        total += directions * GATES[type(module)] * hidden * (width + hidden)
    return total


def _recurrent_tokens(module: nn.Module, inputs: object) -> tuple[int, tuple[int, ...] | None]:
    """Tokens a recurrent layer reads in one call (a packed sequence: only the real ones) and the input shape."""
    if isinstance(inputs, nn.utils.rnn.PackedSequence):
        return int(inputs.data.shape[0]), tuple(inputs.data.shape)
    if isinstance(inputs, torch.Tensor):
        steps = inputs.shape[:-1]
        return int(torch.tensor(steps).prod()) if steps else 1, tuple(inputs.shape)
    return 0, None


def _layer_macs(module: nn.Module, output: torch.Tensor) -> int:
    """MACs of one call for the whole batch, from the output shape (covers stride, padding and dilation)."""
    if isinstance(module, (Conv2d, nn.Conv2d)):
        kh, kw = module.kernel_size
        per_output = kh * kw * (module.in_channels // module.groups)
        return output.numel() * per_output  # N * C_out * H_out * W_out outputs, each K_h K_w C_in/groups MACs
    return output.numel() * module.in_features  # (..., out) outputs, each in_features MACs


def _exclusive_macs(counter: FlopCounterMode) -> dict[str, int]:
    """MACs (whole batch) each module does itself, not counting its children, keyed by named_modules name."""
    inclusive = flop_counts_by_module(counter)
    # A module's exclusive count is its inclusive count minus that of every module directly below it; "below"
    # means the nearest counted ancestor, since containers such as ModuleList never run a forward themselves.
    exclusive = dict(inclusive)
    for path, flops in inclusive.items():
        ancestor = _nearest_counted_ancestor(path, inclusive)
        if ancestor is not None:
            exclusive[ancestor] -= flops
    return {path: flops // 2 for path, flops in exclusive.items()}


def _nearest_counted_ancestor(path: str, counted: dict[str, int]) -> str | None:
    while path:
        path = path.rsplit(".", 1)[0] if "." in path else ""
        if path in counted:
            return path
    return None


def _per_sample(macs: int, batch: int, name: str, notes: list[str]) -> int:
    if macs % batch:
        notes.append(f"{name}: {macs} MACs do not divide evenly over batch size {batch}")
    return macs // batch


def _type_name(module: nn.Module) -> str:
    cls = type(module)
    return f"nn.{cls.__name__}" if cls.__module__.startswith("torch.nn") else cls.__name__


def _shape(shape: tuple[int, ...] | None) -> str:
    return "" if shape is None else "(" + ",".join(str(s) for s in shape) + ")"
