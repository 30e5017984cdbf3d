"""Timing one training step of a workload (see workloads.py) on synthetic data of the real shape, on a device:
a few untimed warm-up steps, then the mean of a few timed ones (see estimate.py for what is left out)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from src.experiments.study.workloads import (
    GPT2_VOCABULARY,
    IMAGE_CLASSES,
    IMAGE_SHAPE,
    SMOLLM2_CONFIG,
    ImageWorkload,
    LMWorkload,
    RNNWorkload,
    Workload,
)

clock = time.perf_counter  # module-level, so that tests can replace it with a fake clock


# ---- timing one training step ----


@dataclass
class TrainingStep:
    """One optimizer step of a model on synthetic data, split where its cost scales: `forward_backward` runs
    `repeats` times per optimizer step (blocks timed singly on a CPU, or gradient accumulation), `update` once."""

    forward_backward: Callable[[], None]
    update: Callable[[], None]
    repeats: int = 1


def autocast(device: torch.device, precision: str) -> torch.autocast:
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16-mixed")


def image_model(workload: ImageWorkload) -> torch.nn.Module:
    from src.modules.resnet import ResNetCifar
    from src.modules.simple_nn import SimpleNN
    from src.modules.simple_nn_cifar import SimpleNNCifar

    if workload.model == "SimpleNN":
        return SimpleNN(IMAGE_CLASSES, final_relu=False)  # the classifier, as classify and simplenn train it
    if workload.model == "SimpleNNCifar":
        return SimpleNNCifar(IMAGE_CLASSES, batch_norm=workload.batch_norm, activation=workload.activation)
    if workload.model.startswith("ResNet-"):
        return ResNetCifar(depth=int(workload.model.removeprefix("ResNet-")))
    raise ValueError(f"unknown image model {workload.model!r}")


def optimizer_update(optimizer: torch.optim.Optimizer) -> Callable[[], None]:
    def update() -> None:
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return update


def image_step(workload: ImageWorkload, device: torch.device) -> TrainingStep:
    memory_format = torch.channels_last if workload.channels_last else torch.contiguous_format
    model = image_model(workload).to(device).to(memory_format=memory_format).train()
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(workload.batch, *IMAGE_SHAPE, generator=generator).to(device)  # (B, 3, 32, 32)
    images = images.contiguous(memory_format=memory_format)
    labels = torch.randint(0, IMAGE_CLASSES, (workload.batch,), generator=generator).to(device)  # (B,)
    if workload.optimizer == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=5e-4)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    cast = autocast(device, workload.precision)

    def forward_backward() -> None:
        with cast:
            loss = F.cross_entropy(model(images), labels)
        loss.backward()

    return TrainingStep(forward_backward, optimizer_update(optimizer))


def rnn_step(workload: RNNWorkload, device: torch.device) -> TrainingStep:
    from src.experiments.sentiment.fit import build_sentiment_module
    from src.modules.sentiment_classifier import head_loss

    w, batch = workload, workload.batch
    model = build_sentiment_module(w.settings, w.vocabulary, test_size=1).model.to(device).train()  # the lab's RNN
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1, w.vocabulary, (batch, w.tokens), generator=generator).to(device)  # (B, T)
    lengths = torch.full((batch,), w.tokens, dtype=torch.int64)  # (B,), on the CPU as packing wants
    labels = torch.randint(0, 2, (batch,), generator=generator).float().to(device)  # (B,)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def forward_backward() -> None:
        head_loss(model(ids, lengths), labels).backward()

    return TrainingStep(forward_backward, optimizer_update(optimizer))


def lm_model(architecture: str) -> torch.nn.Module:
    """The language model with random weights, built from its config (nothing is downloaded)."""
    import transformers

    if architecture == "gpt2":
        return transformers.GPT2LMHeadModel(transformers.GPT2Config())  # GPT-2 small: 124 M parameters
    if architecture == "gpt2-tiny":
        from src.experiments.lm.models import TINY_CONFIG

        return transformers.GPT2LMHeadModel(transformers.GPT2Config(vocab_size=GPT2_VOCABULARY, **TINY_CONFIG))
    if architecture == "smollm2":
        return transformers.LlamaForCausalLM(transformers.LlamaConfig(**SMOLLM2_CONFIG))  # 135 M parameters
    raise ValueError(f"unknown language model {architecture!r}")


def lm_step(workload: LMWorkload, device: torch.device) -> TrainingStep:
    from src.experiments.lm.fit import GRADIENT_CLIP
    from src.modules.causal_lm import summed_nll

    model = lm_model(workload.model).to(device).train()
    vocabulary = model.get_input_embeddings().num_embeddings
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, vocabulary, (workload.batch, workload.block_size), generator=generator).to(device)
    mask = torch.ones_like(ids)  # (B, T)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
    cast = autocast(device, workload.precision)

    def forward_backward() -> None:
        with cast:
            logits = model(input_ids=ids, attention_mask=mask).logits  # (B, T, vocabulary)
            nll, count = summed_nll(logits, ids)
        (nll / count).backward()

    def update() -> None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRADIENT_CLIP)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return TrainingStep(forward_backward, update, repeats=workload.blocks // workload.batch)


def build_step(workload: Workload, device: torch.device) -> TrainingStep:
    if isinstance(workload, ImageWorkload):
        return image_step(workload, device)
    if isinstance(workload, RNNWorkload):
        return rnn_step(workload, device)
    return lm_step(workload, device)


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(step: TrainingStep, device: torch.device, warmup_steps: int, timed_steps: int) -> float:
    """Seconds per optimizer step: `warmup_steps` untimed, then the mean of `timed_steps` timed steps, the
    forward and backward passes counted `step.repeats` times and the update once."""
    for _ in range(warmup_steps):
        step.forward_backward()
        step.update()
    passes = updates = 0.0
    for _ in range(timed_steps):
        synchronize(device)
        start = clock()
        step.forward_backward()
        synchronize(device)
        middle = clock()
        step.update()
        synchronize(device)
        passes, updates = passes + middle - start, updates + clock() - middle
    return (step.repeats * passes + updates) / timed_steps


def time_workload(workload: Workload, device: torch.device, warmup_steps: int, timed_steps: int) -> float:
    """Seconds per training step of `workload` on `device`, its model and data built, timed and released; the
    caller's random state is left as it was."""
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(0)
        step = build_step(workload, device)
        seconds = measure(step, device, warmup_steps, timed_steps)
    del step
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return seconds
