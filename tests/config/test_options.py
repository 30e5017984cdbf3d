"""Options declared once: types, checks, help, config.json and resolution all come from the declaration."""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path
from typing import Annotated

import pytest

from src.cli.argv import regular_words
from src.config import Machine, Options, Verbatim, build, from_json, option_fields, to_json, validate
from src.errors import UserError
from src.experiments import commands
from src.experiments.classify.config import ClassifyConfig
from src.experiments.command import Command
from src.experiments.lm import LMConfig
from src.experiments.lms.config import COURSE_W0, DEFAULT_SWEEP_LRS, LMSConfig, LMSSweepConfig
from src.experiments.pipeline import PipelineConfig
from src.experiments.sentiment import SentimentConfig
from src.experiments.simplenn.config import SimpleNNConfig
from src.experiments.study import TOUR_CIFAR_EPOCHS, TOUR_LM, TOUR_PIPELINE_EPOCHS, study_parts
from src.experiments.study.config import StudyConfig
from src.modules import ClassifierRecipe, ImageClassifier


def test_text_and_typed_values_convert_alike():
    from_text = build(LMSSweepConfig, {"lrs": "0.1, 0.5", "epochs": "3", "w0": "zeros", "logdir": "x"})
    from_file = build(LMSSweepConfig, {"lrs": [0.1, 0.5], "epochs": 3, "w0": ["zeros"], "logdir": "x"})
    assert from_text == from_file
    assert from_text.lrs == (0.1, 0.5) and from_text.w0 == "zeros" and from_text.logdir == Path("x")
    assert build(LMSConfig, {"w0": "1, 2,3"}).w0 == (1.0, 2.0, 3.0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"epochs": True}, "--epochs: expected a whole number, got True"),
        ({"epochs": 2.5}, "--epochs: expected a whole number, got 2.5"),
        ({"lr": "fast"}, "--lr: expected a number, got 'fast'"),
        ({"lr": -1}, "--lr: must be a finite number > 0, got -1"),
        ({"shuffle": "yes"}, "--shuffle: expected true or false, got 'yes'"),
        ({"precision": "16-mixed"}, "--precision: one of 64-true, 64, 32-true, 32, got '16-mixed'"),
        ({"seed": 2**32}, "--seed: must be in 0 .. 2**32 - 1, got 4294967296"),
        ({"epoch": 3}, "unknown option 'epoch' (did you mean 'epochs'?)"),
    ],
)
def test_every_source_gets_the_same_errors(values, message):
    with pytest.raises(UserError) as error:
        build(LMSConfig, values)
    assert str(error.value) == message


def test_a_config_made_in_code_is_validated_by_the_same_rules():
    validate(ClassifyConfig())
    with pytest.raises(UserError, match="--momentum: must be in \\[0, 1\\), got 1"):
        validate(ClassifyConfig(momentum=1.0))


def test_config_json_round_trip_keeps_every_saved_option():
    cfg = build(ClassifyConfig, {"lr": 0.1, "augment": True, "resume": "last"})
    saved = json.loads(json.dumps(to_json(cfg)))
    assert "resume" not in saved  # an instruction to one invocation, not an option of the run
    assert from_json(ClassifyConfig, saved) == dataclasses.replace(cfg, resume=None)


def test_help_comes_from_the_docstring_under_each_field():
    fields = {field.name: field for field in option_fields(LMSSweepConfig)}
    assert fields["lrs"].help == "learning rates, trained side by side in one fit"
    assert fields["epochs"].help == "passes over the data per rate"
    assert fields["epochs"].group == "LMS" and fields["seed"].group == "Options of every command"
    for command in commands().values():
        for field in option_fields(command.config):
            assert field.help, f"{command.name}: --{field.name} has no help"


def test_what_may_change_on_resume_is_declared_with_the_option():
    adjustable = {field.name for field in option_fields(ClassifyConfig) if field.adjustable}
    assert adjustable == {"logdir", "accelerator", "progress_bar", "deterministic", "num_workers"}


def test_a_number_is_read_as_the_choice_it_spells():
    assert build(ClassifyConfig, {"precision": 32}).precision == "32"  # YAML `precision: 32`
    assert build(LMSConfig, {"devices": 1}).devices == "1"


def test_resolution_fills_in_what_this_machine_will_use():
    cpu, gpu = Machine(), Machine(cuda=True, bf16=True)
    assert ClassifyConfig().resolved(cpu).precision == "32-true"
    assert ClassifyConfig().resolved(gpu).precision == "bf16-mixed"
    assert LMSConfig(precision="32").resolved(cpu).precision == "32-true"
    with pytest.raises(UserError, match="--accelerator gpu: no CUDA GPU was found"):
        LMSConfig(accelerator="gpu").resolved(cpu)
    assert LMSConfig(accelerator="gpu").resolved(gpu).accelerator == "gpu"


def test_defaults_live_in_the_configs_only():
    """Two defaults used to disagree (the classifier module: SGD/0.05/NCHW; the CLI: Adam/0.002/channels_last)."""
    options = inspect.signature(ImageClassifier).parameters
    assert [name for name, p in options.items() if p.default is not inspect.Parameter.empty] == ["model"]
    required = [f.name for f in dataclasses.fields(ClassifierRecipe) if f.default is dataclasses.MISSING]
    assert required == ["optimizer", "lr", "momentum", "weight_decay", "lr_decay", "max_epochs"]  # the options
    assert LMSConfig().lr == 0.005 and LMSSweepConfig().lrs == DEFAULT_SWEEP_LRS and LMSConfig().w0 == COURSE_W0
    assert (SimpleNNConfig().epochs, ClassifyConfig().epochs) == (5, 10)


def test_the_study_derives_its_parts_from_its_own_options():
    cfg = StudyConfig(seed=7, data_dir="somewhere", progress_bar=False)
    parts = {experiment.name: part for experiment, part in study_parts(cfg)}
    assert list(parts) == ["lms-sweep", "simplenn", "classify", "cifar", "pipeline", "sentiment", "lm"]
    assert all(part.seed == 7 and not part.progress_bar for part in parts.values())
    assert {parts[name].data_dir for name in ("simplenn", "classify", "cifar", "pipeline")} == {"somewhere"}
    assert (parts["cifar"].epochs, parts["pipeline"].epochs) == (TOUR_CIFAR_EPOCHS, TOUR_PIPELINE_EPOCHS)
    assert parts["pipeline"] == PipelineConfig(seed=7, progress_bar=False, data_dir="somewhere", epochs=5)
    assert parts["lms-sweep"] == LMSSweepConfig(seed=7, progress_bar=False)  # everything else: the part's defaults
    assert parts["simplenn"].epochs == SimpleNNConfig().epochs
    assert parts["sentiment"] == SentimentConfig(seed=7, progress_bar=False)
    assert parts["lm"] == LMConfig(seed=7, progress_bar=False, **TOUR_LM) and parts["lm"].model == "smollm2"


@dataclasses.dataclass(frozen=True)
class Texts(Options):
    """Texts"""

    text: Annotated[tuple[str, ...] | None, Verbatim()] = None
    """texts"""
    both: bool | None = None
    """a switch whose default is decided later"""


def test_a_verbatim_list_keeps_commas_and_an_optional_switch_has_three_states():
    command = Command("x", Texts, "", "")
    words = regular_words(command, ["--text", "good, not great", "a mess\nof a film", "--no-both"])
    assert words == ["--text=good, not great\x1fa mess\nof a film", "--no-both"]
    assert build(Texts, {"text": words[0].removeprefix("--text=")}).text == ("good, not great", "a mess\nof a film")
    assert build(Texts, {"text": ["x, y"]}).text == ("x, y",)  # a list in a --config file
    fields = {f.name: f for f in option_fields(Texts)}
    assert fields["both"].kind.is_flag and fields["both"].default is None
