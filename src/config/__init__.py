"""Typed options, declared once (torch-free): the CLI, validation, config.json and resume derive from them."""

from src.config.checks import (
    Adjustable,
    AtLeast,
    DeviceCount,
    Distinct,
    Finite,
    InRange,
    Metavar,
    NonNegative,
    NotSaved,
    Positive,
    Verbatim,
)
from src.config.device import DeviceOptions
from src.config.images import ImageData, ImageRun, ImageTraining
from src.config.options import Machine, OptionField, Options, build, from_json, option_fields, to_json, validate
from src.config.run import ResumeOptions, RunOptions

__all__ = [
    "Adjustable",
    "AtLeast",
    "DeviceCount",
    "DeviceOptions",
    "Distinct",
    "Finite",
    "ImageData",
    "ImageRun",
    "ImageTraining",
    "InRange",
    "Machine",
    "Metavar",
    "NonNegative",
    "NotSaved",
    "OptionField",
    "Options",
    "Positive",
    "ResumeOptions",
    "RunOptions",
    "Verbatim",
    "build",
    "from_json",
    "option_fields",
    "to_json",
    "validate",
]
