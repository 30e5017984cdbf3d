"""RNGState: the global random generators (Python, NumPy, torch CPU and CUDA) saved with every checkpoint."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch
from pytorch_lightning.callbacks import Callback


class RNGState(Callback):
    """Global generator states in the checkpoint, restored on resume, so that anything drawing from them
    (dropout in a user's model, say) continues the same sequence. Stored as tensors and plain Python values,
    which torch.load(weights_only=True) accepts."""

    def state_dict(self) -> dict[str, Any]:
        # The legacy global generator on purpose: it is what seed_everything seeds and user code draws from.
        kind, keys, position, has_gauss, cached = np.random.get_state()  # noqa: NPY002
        return {
            "python": random.getstate(),
            "numpy": {
                "kind": kind,
                "keys": torch.from_numpy(keys.astype(np.int64)),
                "position": int(position),
                "has_gauss": int(has_gauss),
                "cached": float(cached),
            },
            "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        version, internal, gauss = state_dict["python"]
        random.setstate((version, tuple(internal), gauss))
        n = state_dict["numpy"]
        keys = n["keys"].numpy().astype(np.uint32)
        np.random.set_state((n["kind"], keys, n["position"], n["has_gauss"], n["cached"]))  # noqa: NPY002
        torch.set_rng_state(state_dict["torch"])
        if state_dict["cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state_dict["cuda"])
