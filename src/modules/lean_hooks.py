"""A mixin that makes Lightning's per-hook bookkeeping cheap for modules that run tiny steps.

Around every hook call (about 20 per training step) Lightning sets `pl_module._current_fx_name`, and
`nn.Module.__setattr__` checks each assignment against parameters, buffers and submodules. For the LMS step
(a 3-weight update, ~70 us in a plain loop) that bookkeeping alone cost ~40 us per step on a 2-core CPU.
The attribute is a plain string, so it can bypass those checks; every other name goes through nn.Module.
"""

from __future__ import annotations

from typing import Any

_PLAIN_BOOKKEEPING = frozenset({"_current_fx_name"})


class LeanHookBookkeeping:
    """Put first in the bases: `class MyModule(LeanHookBookkeeping, pl.LightningModule)`."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _PLAIN_BOOKKEEPING and (value is None or isinstance(value, str)):
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)
