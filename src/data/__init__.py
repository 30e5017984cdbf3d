"""Data: regression files for LMS and the DataModules that serve them."""

from src.data.lms_datamodule import LMSDataModule, SampleStream
from src.data.regression_file import EMBEDDED_LMS_DATA, RegressionData, load_regression

__all__ = ["EMBEDDED_LMS_DATA", "LMSDataModule", "RegressionData", "SampleStream", "load_regression"]
