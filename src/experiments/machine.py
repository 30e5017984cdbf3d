"""detect_machine: what the machine offers (CUDA, bf16, MPS), against which configs resolve 'auto'."""

from __future__ import annotations

import torch

from src.config import Machine


def detect_machine() -> Machine:
    cuda = torch.cuda.is_available()
    return Machine(
        cuda=cuda,
        bf16=cuda and torch.cuda.is_bf16_supported(),
        mps=torch.backends.mps.is_available(),
    )
