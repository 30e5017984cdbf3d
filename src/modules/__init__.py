"""Models (nn.Modules) and the LightningModules that train them."""

from src.modules.lean_hooks import LeanHookBookkeeping
from src.modules.lms import LMSModule

__all__ = ["LMSModule", "LeanHookBookkeeping"]
