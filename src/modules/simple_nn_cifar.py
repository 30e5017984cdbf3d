"""SimpleNNCifar: the course's CIFAR-10 CNN (second homework), with optional batch norm and Swish."""

from __future__ import annotations

import torch
from torch import nn

from src.modules.activations import activation_layer
from src.modules.layers import Conv2d, Linear


class SimpleNNCifar(nn.Module):
    """conv 5x5 -> 8, act, max-pool 2/2 -> conv 3x3 -> 16, act, max-pool 2/2 -> flatten (576) -> fc1 120, act
    -> fc2 84, act -> fc3 num_classes (logits). No padding, biases everywhere: 82,030 parameters for 10 classes.

    With `batch_norm`, a BatchNorm2d follows each convolution (before its activation); `activation` is "relu"
    or "swish" for all four. Batch norm draws no random numbers when it is built, so with one seed the
    convolution and linear weights are the same with and without it, whatever the activation: every variant
    of the course's pipeline study starts from the same weights.
    """

    def __init__(
        self, num_classes: int = 10, in_channels: int = 3, batch_norm: bool = False, activation: str = "relu"
    ) -> None:
        super().__init__()
        self.batch_norm, self.activation = batch_norm, activation
        self.conv1 = Conv2d(in_channels, 8, kernel_size=5)
        self.bn1 = nn.BatchNorm2d(8) if batch_norm else nn.Identity()
        self.act1 = activation_layer(activation)
        self.pool1 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = Conv2d(8, 16, kernel_size=3)
        self.bn2 = nn.BatchNorm2d(16) if batch_norm else nn.Identity()
        self.act2 = activation_layer(activation)
        self.pool2 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = Linear(16 * 6 * 6, 120)
        self.act3 = activation_layer(activation)
        self.fc2 = Linear(120, 84)
        self.act4 = activation_layer(activation)
        self.fc3 = Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, 32, 32)
        x = self.pool1(self.act1(self.bn1(self.conv1(x))))  # (B, 8, 28, 28) -> (B, 8, 14, 14)
        x = self.pool2(self.act2(self.bn2(self.conv2(x))))  # (B, 16, 12, 12) -> (B, 16, 6, 6)
        x = self.act3(self.fc1(torch.flatten(x, 1)))  # (B, 576) -> (B, 120)
        x = self.act4(self.fc2(x))  # (B, 84)
        return self.fc3(x)  # (B, num_classes) logits
