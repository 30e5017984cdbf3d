"""Grids of training variants (the course's CIFAR-10 labs): what a variant is, and training many side by side.

This package's __init__ and variant module are torch-free (configs enumerate variants to check options); the
training code is imported when an experiment runs.
"""

from src.experiments.grid.variant import Variant

__all__ = ["Variant"]
