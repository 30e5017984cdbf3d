"""The study: the LMS sweep, the SimpleNN analysis, a classification run, and short versions of the two
CIFAR-10 labs, of the sentiment lab and of the language-model lab; with --full, the whole course at its settings
on its data (ResNet-20 too)."""

from src.config import Options
from src.config.paths import CIFAR10, IMDB, WIKITEXT2
from src.experiments.cifar import CIFAR, CifarConfig
from src.experiments.classify import CLASSIFY, ClassifyConfig
from src.experiments.command import Experiment, Tour
from src.experiments.lm import LM, LMConfig
from src.experiments.lms import LMS_SWEEP, LMSSweepConfig
from src.experiments.pipeline import PIPELINE, PipelineConfig
from src.experiments.resnet import RESNET, ResNetConfig
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


# The language-model lab as the course ran it: GPT-2 fine-tuned on a seeded 10 % of WikiText-2's training lines
# (about 1.2 M GPT-2 tokens; 60 steps of 8 blocks of 512 tokens are about 2.5 M tokens, two passes over them),
# measured on the whole validation and test text; SmolLM2-135M beside it with the same settings.
FULL_LM = dict(data=WIKITEXT2, fraction=0.1, block_size=512, batch_size=8, max_steps=60, val_every=20)
FULL_LM_MODELS = ("gpt2", "smollm2")


def study_parts(cfg: StudyConfig) -> list[tuple[Experiment, Options]]:
    if cfg.full:
        return full_parts(cfg)
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


def full_parts(cfg: StudyConfig) -> list[tuple[Experiment, Options]]:
    """Every lab at its own defaults, which are the course's (and the paper's for ResNet-20: 64,000 iterations),
    on the course's data: CIFAR-10 unless --data-dir names a copy, IMDB, WikiText-2 with GPT-2 and SmolLM2."""
    shared = cfg.shared()
    images = CIFAR10 if cfg.data_dir == "embedded" else cfg.data_dir
    return [
        (LMS_SWEEP, LMSSweepConfig(data=cfg.data, **shared)),
        (SIMPLENN, SimpleNNConfig(data_dir=images, **shared)),
        (CLASSIFY, ClassifyConfig(data_dir=images, **shared)),
        (CIFAR, CifarConfig(data_dir=images, **shared)),
        (PIPELINE, PipelineConfig(data_dir=images, **shared)),
        (RESNET, ResNetConfig(data_dir=images, **shared)),
        (SENTIMENT, SentimentConfig(data=IMDB, **shared)),
        *((LM, LMConfig(model=model, **FULL_LM, **shared)) for model in FULL_LM_MODELS),
    ]


def title(cfg: StudyConfig) -> str:
    return "The whole course (study --full)" if cfg.full else "The study"


def plan(cfg: StudyConfig, completed: list[bool]) -> None:
    """What --full will fetch and how long it expects to take here (for the parts not `completed` yet, when
    resumed), said before anything is fetched."""
    if not cfg.full:
        return
    from src.experiments.study.plan import say_plan

    say_plan(cfg, [part for part, done in zip(full_parts(cfg), completed, strict=True) if not done])


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
    f"{TOUR_LM['max_steps']} steps (full and LoRA). Its own run directory (runs/study/version_N) holds one "
    "report.md for all the parts. --full runs the whole course instead: every lab at the course's settings on the "
    "course's data (CIFAR-10, IMDB, WikiText-2 with GPT-2 and SmolLM2, fetched into the cache when missing; "
    "ResNet-20 with the paper's 64,000 iterations), after saying what it fetches and the time it expects here. "
    "Use the other commands to change a part's options.",
    parts=study_parts,
    plan=plan,
    title=title,
)
COMMANDS = (STUDY,)

__all__ = [
    "COMMANDS",
    "FULL_LM",
    "STUDY",
    "TOUR_CIFAR_EPOCHS",
    "TOUR_LM",
    "TOUR_PIPELINE_EPOCHS",
    "StudyConfig",
    "full_parts",
    "study_parts",
]
