"""Models (nn.Modules) and the LightningModules that train them."""

from src.modules.classifier import ImageClassifier
from src.modules.layers import Conv2d, Linear, recording
from src.modules.lms import LMSModule
from src.modules.simple_nn import SimpleNN, zero_weights_

__all__ = [
    "Conv2d",
    "ImageClassifier",
    "LMSModule",
    "Linear",
    "SimpleNN",
    "recording",
    "zero_weights_",
]
