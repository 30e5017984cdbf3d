"""Models (nn.Modules) and the LightningModules that train them."""

from src.modules.classifier import ImageClassifier
from src.modules.image_models import ImageModelSpec
from src.modules.layers import Conv2d, Linear, recording
from src.modules.lms import LMSModule
from src.modules.recipe import ClassifierRecipe
from src.modules.simple_nn import SimpleNN, zero_weights_

__all__ = [
    "ClassifierRecipe",
    "Conv2d",
    "ImageClassifier",
    "ImageModelSpec",
    "LMSModule",
    "Linear",
    "SimpleNN",
    "recording",
    "zero_weights_",
]
