"""The study: the LMS sweep, the SimpleNN analysis, a classification run, and short versions of the two
CIFAR-10 labs, of the sentiment lab and of the language-model lab."""

from src.config import Options
from src.experiments.cifar import CIFAR, CifarConfig
from src.experiments.classify import CLASSIFY, ClassifyConfig
from src.experiments.command import Experiment, Tour
from src.experiments.lm import LM, LMConfig
from src.experiments.lms import LMS_SWEEP, LMSSweepConfig
from src.experiments.pipeline import PIPELINE, PipelineConfig
from src.experiments.sentiment import SENTIMENT, SentimentConfig
from src.experiments.simplenn import SIMPLENN, SimpleNNConfig
from src.experiments.study.config import StudyConfig

# The CIFAR-10 labs' short versions: enough epochs on the embedded digits for every part to show its effect
# (the labs' own defaults are 30 epochs each; on CIFAR-10 from --data-dir these parts are short runs too).
TOUR_CIFAR_EPOCHS = 10
TOUR_PIPELINE_EPOCHS = 5
# The language-model lab's short version: the embedded pretrained SmolLM2 measured on the first 100 lines of
# Hamlet's validation and test text, one continuation, then fine-tuned fully and with LoRA for 8 short steps
# (2 blocks of 64 tokens each). The lab itself (`train.py lm`) takes about 10 minutes on 2 cores; this part
# about 50 s once the model is converted (the first run converts it: about a minute more).
TOUR_LM = dict(
    model="smollm2",
    eval_lines=100,
    max_steps=8,
    val_every=4,
    block_size=64,
    batch_size=2,
    warmup_steps=1,
    prompts=("To be, or not to be,",),
    max_new_tokens=20,
)


def study_parts(cfg: StudyConfig) -> list[tuple[Experiment, Options]]:
    shared = cfg.shared()
    return [
        (LMS_SWEEP, LMSSweepConfig(data=cfg.data, **shared)),
        (SIMPLENN, SimpleNNConfig(data_dir=cfg.data_dir, **shared)),
        (CLASSIFY, ClassifyConfig(data_dir=cfg.data_dir, **shared)),
        (CIFAR, CifarConfig(data_dir=cfg.data_dir, epochs=TOUR_CIFAR_EPOCHS, **shared)),
        (PIPELINE, PipelineConfig(data_dir=cfg.data_dir, epochs=TOUR_PIPELINE_EPOCHS, **shared)),
        (SENTIMENT, SentimentConfig(**shared)),  # both presets as they are: 45 s on 2 cores
        (LM, LMConfig(**TOUR_LM, **shared)),
    ]


STUDY = Tour(
    name="study",
    config=StudyConfig,
    help="the full study (default): LMS sweep, SimpleNN analysis, classification, the CIFAR-10 labs, "
    "sentiment analysis and a language model (short)",
    description="The full study, each part with its defaults and its own run directory: the LMS learning-rate "
    "sweep (Wiener solution, stability theory), the SimpleNN analysis (Table 2, zero-init study), a "
    f"classification run, and the two CIFAR-10 labs shortened to {TOUR_CIFAR_EPOCHS} (cifar) and "
    f"{TOUR_PIPELINE_EPOCHS} (pipeline) epochs, the sentiment lab (both presets) on the embedded Rotten "
    f"Tomatoes reviews, and the language-model lab shortened: the pretrained SmolLM2-135M-Instruct measured on "
    f"the first {TOUR_LM['eval_lines']} lines of Hamlet's validation and test text, then fine-tuned on Hamlet for "
    f"{TOUR_LM['max_steps']} steps (full and LoRA). Use the other commands to change a part's options.",
    parts=study_parts,
)
COMMANDS = (STUDY,)

__all__ = [
    "COMMANDS",
    "STUDY",
    "TOUR_CIFAR_EPOCHS",
    "TOUR_LM",
    "TOUR_PIPELINE_EPOCHS",
    "StudyConfig",
    "study_parts",
]
