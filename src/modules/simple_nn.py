"""SimpleNN: the course's small CNN (Table 1), built from our Conv2d and Linear, input 3 x 32 x 32."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from src.modules.layers import Conv2d, Linear


class SimpleNN(nn.Module):
    """conv(5x5,16,p2) relu pool(4,2) -> conv(3x3,16,p2) relu pool(3,2) -> conv(7x7,32,p2) relu pool(2,2)
    -> flatten (288) -> fc1 (32) relu -> fc2 (num_classes) [relu].

    Convolutions have no bias, the fully connected layers do (as in the course's notebook). The ReLU after fc2
    belongs to Table 1 and is on by default; a classifier turns it off (`final_relu=False`), because class
    scores (logits) must be able to go negative.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 3, final_relu: bool = True) -> None:
        super().__init__()
        self.final_relu = final_relu
        self.conv1 = Conv2d(in_channels, 16, kernel_size=5, stride=1, padding=2, bias=False)
        self.pool1 = nn.MaxPool2d(kernel_size=4, stride=2)
        self.conv2 = Conv2d(16, 16, kernel_size=3, stride=1, padding=2, bias=False)
        self.pool2 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.conv3 = Conv2d(16, 32, kernel_size=7, stride=1, padding=2, bias=False)
        self.pool3 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = Linear(288, 32)
        self.fc2 = Linear(32, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, 32, 32)
        x = self.pool1(F.relu(self.conv1(x)))  # (B, 16, 32, 32) -> (B, 16, 15, 15)
        x = self.pool2(F.relu(self.conv2(x)))  # (B, 16, 17, 17) -> (B, 16, 8, 8)
        x = self.pool3(F.relu(self.conv3(x)))  # (B, 32, 6, 6) -> (B, 32, 3, 3)
        x = F.relu(self.fc1(torch.flatten(x, 1)))  # (B, 288) -> (B, 32)
        x = self.fc2(x)  # (B, num_classes)
        return F.relu(x) if self.final_relu else x


def zero_weights_(model: nn.Module) -> nn.Module:
    """Set the weight of every Conv2d/Linear (ours and torch's) to zero, in place; biases stay as they are."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (Conv2d, Linear, nn.Conv2d, nn.Linear)):
                module.weight.zero_()
    return model
