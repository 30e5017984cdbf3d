"""Data: regression files for LMS, image datasets (CIFAR-10, embedded digits) and their DataModules."""

from src.data.cifar10 import find_cifar10, read_cifar10, restricted_unpickle
from src.data.digits import load_digits_splits
from src.data.image_datamodule import ImageDataModule, TensorImages
from src.data.image_source import load_image_splits
from src.data.image_splits import ImageSplits, channel_statistics
from src.data.lms_datamodule import LMSDataModule, SampleStream
from src.data.regression_file import EMBEDDED_LMS_DATA, RegressionData, load_regression, regression_path

__all__ = [
    "EMBEDDED_LMS_DATA",
    "ImageDataModule",
    "ImageSplits",
    "LMSDataModule",
    "RegressionData",
    "SampleStream",
    "TensorImages",
    "channel_statistics",
    "find_cifar10",
    "load_digits_splits",
    "load_image_splits",
    "load_regression",
    "read_cifar10",
    "regression_path",
    "restricted_unpickle",
]
