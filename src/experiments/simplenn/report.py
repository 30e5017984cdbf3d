"""report.md of the SimpleNN analysis: Table 2 and the zero-initialisation study, from measured values."""

from __future__ import annotations

from src.analysis import LayerTable
from src.analysis.zero_init import ZeroInitStudy
from src.experiments.figures import FigureFile
from src.experiments.wording import count


def _frac(value: float) -> str:
    return f"{100 * value:.1f} %"


def gradient_table(study: ZeroInitStudy) -> str:
    lines = [
        "| parameter | shape | grad norm, default init | zero entries | grad norm, zero init | zero entries |",
        "|---|---|---|---|---|---|",
    ]
    for default_state, zero_state in zip(study.default.layers, study.zero.layers, strict=True):
        for d, z in zip(default_state.grads, zero_state.grads, strict=True):
            lines.append(
                f"| {d.name} | {'x'.join(str(s) for s in d.shape)} | {d.norm:.4g} | {_frac(d.zero_fraction)} | "
                f"{'**0**' if z.norm == 0 else f'{z.norm:.4g}'} | {_frac(z.zero_fraction)} |"
            )
    return "\n".join(lines)


def activation_table(study: ZeroInitStudy) -> str:
    lines = [
        "| layer | output = 0, default init | output = 0, zero init | input all 0 (zero init) "
        "| gradient reaches output (zero init) |",
        "|---|---|---|---|---|",
    ]
    for d, z in zip(study.default.layers, study.zero.layers, strict=True):
        lines.append(
            f"| {d.layer} | {_frac(d.output_zero_fraction)} | {_frac(z.output_zero_fraction)} | "
            f"{'yes' if z.input_all_zero else 'no'} | {'no' if z.delta_all_zero else 'yes'} |"
        )
    return "\n".join(lines)


def still_zero_sentence(still_zero: dict[str, bool], epochs: int) -> str:
    frozen = [layer for layer, zero in still_zero.items() if zero]
    moved = [layer for layer, zero in still_zero.items() if not zero]
    layers = ", ".join(frozen) or "no layer"
    text = f"Measured after {count(epochs, 'epoch')} of training from zero: the weights of {layers} are still exactly 0"
    return text + (f"; only {', '.join(moved)} moved." if moved else ".")


def render_simplenn_report(
    results: dict, table: LayerTable, study: ZeroInitStudy, figures: dict[str, FigureFile]
) -> str:
    vanishing = study.vanishing_layers
    learning = [state.layer for state in study.zero.layers if not state.vanished]
    training = results["training"]
    final = {name: training[name][-1]["val/acc"] for name in ("default_init", "zero_init")}
    epochs = training["epochs"]
    lines = [
        "# SimpleNN: layer analysis and the zero-initialisation study",
        "",
        "## Table 2: shapes, parameters and MACs",
        "Input 3 x 32 x 32 (Table 1). Convolutions have no bias, the fully connected layers do; MACs per sample "
        "(conv: H_out W_out K_h K_w C_in/groups C_out, linear: in x out), checked against FlopCounterMode.",
        "",
        table.to_markdown(),
        "",
        "## Zero initialisation",
        f"(a) weight histograms at the default init, (b) gradients after one forward/backward pass of a batch of "
        f"{results['zero_init']['study_input']['batch']} random images with an MSE loss against a random target, "
        "(c) the same pass with every Conv/FC weight set to zero (biases unchanged). TensorBoard: Histograms tab, "
        "runs `default_init` and `zero_init`, tags `weights/<layer>` and `grads/<layer>`.",
        "",
        gradient_table(study),
        "",
        f"![gradient norms]({figures['gradient_norms'].path})",
        "",
        f"**Gradients vanish exactly in {', '.join(vanishing) or 'no layer'}**; "
        f"{', '.join(learning) or 'no layer'} still {'receives' if len(learning) == 1 else 'receive'} a gradient. "
        "Layer by layer, from what the pass measured:",
        "",
    ]
    lines += [f"- **{state.layer}**: {study.why(state.layer)}." for state in study.zero.layers]
    lines += [
        "",
        activation_table(study),
        "",
        "**Why, from the architecture.** With zero weights, conv1 outputs exactly 0 and, having no bias, so do "
        "conv2 and conv3 (ReLU and max-pooling keep zeros at zero); fc1 then outputs only its bias b1 and fc2 only "
        "its bias b2: the network's output no longer depends on the image. Backwards, a layer's weight gradient is "
        "(gradient at its output) x (its input), and the gradient reaching a layer has to pass through the weights "
        "of every layer after it. The convolutions and fc1 see an all-zero input, or sit behind a zero weight "
        "matrix, or both, so their gradients are exactly zero. fc2 touches the loss directly and its input "
        "relu(b1) is not zero, so it is the only layer that learns; its gradient is still zero where relu(b1) = 0 "
        "or where the final ReLU is inactive (b2 < 0). Training cannot repair this: the convolutions' inputs and "
        "outputs stay zero forever, so the network can only learn a constant answer.",
        "",
        still_zero_sentence(training["zero_init_weights_still_zero"], training["epochs"]),
        "",
        "## Training from default init vs zero init",
        f"The classifier (SimpleNN without its final ReLU, see `classify`) trained for {count(epochs, 'epoch')} on "
        f"{training['data']['name']} ({training['data']['sizes']['train']:,} training images) from both starts, "
        f"same data order and optimizer: validation accuracy {_frac(final['default_init'])} from the default init "
        f"and {_frac(final['zero_init'])} from zero weights (the largest class is {_frac(training['chance_accuracy'])} "
        "of the validation set).",
        "",
        "| epoch | val acc, default init | val acc, zero init |",
        "|---|---|---|",
    ]
    for d, z in zip(training["default_init"], training["zero_init"], strict=True):
        lines.append(f"| {d['epoch']} | {_frac(d['val/acc'])} | {_frac(z['val/acc'])} |")
    lines += ["", f"![accuracy: default vs zero init]({figures['init_comparison'].path})", ""]
    return "\n".join(lines)
