"""The study: the LMS sweep, the SimpleNN analysis and a classification run, each with its defaults."""

from src.config import Options
from src.experiments.classify import CLASSIFY, ClassifyConfig
from src.experiments.command import Experiment, Tour
from src.experiments.lms import LMS_SWEEP, LMSSweepConfig
from src.experiments.simplenn import SIMPLENN, SimpleNNConfig
from src.experiments.study.config import StudyConfig


def study_parts(cfg: StudyConfig) -> list[tuple[Experiment, Options]]:
    shared = cfg.shared()
    return [
        (LMS_SWEEP, LMSSweepConfig(data=cfg.data, **shared)),
        (SIMPLENN, SimpleNNConfig(data_dir=cfg.data_dir, **shared)),
        (CLASSIFY, ClassifyConfig(data_dir=cfg.data_dir, **shared)),
    ]


STUDY = Tour(
    name="study",
    config=StudyConfig,
    help="the full study (default): LMS sweep, SimpleNN analysis, a short classification run",
    description="The full study, each part with its defaults and its own run directory: the LMS learning-rate "
    "sweep (Wiener solution, stability theory), the SimpleNN analysis (Table 2, zero-init study) and a "
    "classification run. Use the other commands to change a part's options.",
    parts=study_parts,
)
COMMANDS = (STUDY,)

__all__ = ["COMMANDS", "STUDY", "StudyConfig", "study_parts"]
