"""ResNetCifar: the CIFAR-10 residual networks of He et al. (2016), Section 4.2 (ResNet-20, 32, 44, 56, 110)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SHORTCUTS = ("A", "B")
WIDTHS = (16, 32, 64)  # channels of the three stages, on 32x32, 16x16 and 8x8 feature maps


def blocks_per_stage(depth: int) -> int:
    """n of depth = 6n + 2 (one stem convolution, 3 stages of n blocks of two convolutions, the classifier)."""
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110, ...), got {depth}")
    return (depth - 2) // 6


class ZeroPadShortcut(nn.Module):
    """Option A: the identity, subsampled by `stride` and with the new channels filled with zeros. It has no
    parameters and does no multiply-accumulates."""

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.extra, self.stride = out_channels - in_channels, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C_in, H, W) -> (B, C_out, H/s, W/s)
        x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.extra))  # the C_out - C_in new channels after the old ones


class ProjectionShortcut(nn.Module):
    """Option B: a 1x1 convolution with the block's stride and a batch norm."""

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


class BasicBlock(nn.Module):
    """conv 3x3 (stride s) - BN - ReLU - conv 3x3 - BN, plus the shortcut, then ReLU. The shortcut is the plain
    identity where the shape stays; where it changes (the first block of stages 2 and 3), option A or B."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, shortcut: str) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride == 1 and in_channels == out_channels:
            self.shortcut: nn.Module = nn.Identity()
        elif shortcut == "A":
            self.shortcut = ZeroPadShortcut(in_channels, out_channels, stride)
        else:
            self.shortcut = ProjectionShortcut(in_channels, out_channels, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNetCifar(nn.Module):
    """conv 3x3 -> 16, BN, ReLU -> 3 stages of n BasicBlocks at 16/32/64 channels (stride 2 at the first
    convolution of stages 2 and 3) -> global average pooling -> fc to num_classes (logits).

    Depth 6n + 2: ResNet-20 has 269,722 parameters with option A shortcuts (272,474 with B) and does
    40,551,040 multiply-accumulates per 32x32 image. Convolutions have no bias (a batch norm follows each);
    their weights are initialised as in He et al. (2015), normal with std sqrt(2 / fan_in), which the paper uses.
    """

    def __init__(self, depth: int = 20, shortcut: str = "A", num_classes: int = 10, in_channels: int = 3) -> None:
        super().__init__()
        if shortcut not in SHORTCUTS:
            raise ValueError(f"shortcut must be one of {SHORTCUTS}, got {shortcut!r}")
        self.depth, self.shortcut = depth, shortcut
        n = blocks_per_stage(depth)
        self.conv = nn.Conv2d(in_channels, WIDTHS[0], kernel_size=3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(WIDTHS[0])
        stages, channels = [], WIDTHS[0]
        for index, width in enumerate(WIDTHS):
            blocks = []
            for block in range(n):
                stride = 2 if index > 0 and block == 0 else 1
                blocks.append(BasicBlock(channels, width, stride, shortcut))
                channels = width
            stages.append(nn.Sequential(*blocks))
        self.stage1, self.stage2, self.stage3 = stages
        self.fc = nn.Linear(WIDTHS[-1], num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, 32, 32)
        x = F.relu(self.bn(self.conv(x)))  # (B, 16, 32, 32)
        x = self.stage3(self.stage2(self.stage1(x)))  # (B, 16, 32, 32) -> (B, 32, 16, 16) -> (B, 64, 8, 8)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)  # (B, 64)
        return self.fc(x)  # (B, num_classes)
