"""The command line generated from the configs: spellings, lists, switches, --config files, --print-config,
and answering --help and argument errors without importing torch or Lightning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from src.cli import main
from src.cli.parser import parse
from src.config import to_json
from src.experiments import commands

ROOT = Path(__file__).resolve().parents[2]


def parsed(name: str, *words: str):
    return parse(commands()[name], list(words))


def test_list_options_take_several_words_or_commas():
    expected, _ = parsed("lms-sweep", "--lrs", "0.1,0.5")
    assert expected.lrs == (0.1, 0.5)
    for words in (["--lrs", "0.1", "0.5"], ["--lrs=0.1,0.5"], ["--lrs", "0.1,", "0.5"]):
        assert parsed("lms-sweep", *words)[0] == expected
    assert parsed("lms", "--w0", "0", "-1.5", "2")[0].w0 == (0.0, -1.5, 2.0)  # a negative value is a value


def test_underscores_and_dashes_name_the_same_option():
    assert parsed("classify", "--batch_size", "8")[0] == parsed("classify", "--batch-size", "8")[0]
    assert parsed("classify", "--no_progress_bar")[0].progress_bar is False


def test_switches_turn_on_and_off_and_the_last_word_wins():
    assert parsed("lms", "--shuffle")[0].shuffle is True
    assert parsed("lms", "--shuffle", "--no-shuffle")[0].shuffle is False
    assert parsed("classify", "--no-channels-last")[0].channels_last is False


def test_given_names_the_options_the_user_set():
    _, given = parsed("lms", "--lr", "0.1", "--no-progress-bar")
    assert given == {"lr", "progress_bar"}


def test_a_config_file_sets_options_and_the_command_line_overrides_it(tmp_path):
    (tmp_path / "run.yaml").write_text("lrs: [0.2, 0.3]\nepochs: 4\nshuffle: true\n")
    cfg, given = parsed("lms-sweep", "--config", str(tmp_path / "run.yaml"), "--epochs", "7")
    assert (cfg.lrs, cfg.epochs, cfg.shuffle) == ((0.2, 0.3), 7, True)
    assert given == {"lrs", "epochs", "shuffle"}
    (tmp_path / "run.json").write_text(json.dumps({"batch_size": 8, "optimizer": "sgd"}))
    cfg, _ = parsed("classify", "--config", str(tmp_path / "run.json"))
    assert (cfg.batch_size, cfg.optimizer) == (8, "sgd")


def test_print_config_prints_yaml_that_reads_back_as_the_same_options(tmp_path, capsys):
    assert main(["classify", "--lr", "0.1", "--augment", "--print-config"]) == 0
    printed = capsys.readouterr().out
    cfg, _ = parsed("classify", "--lr", "0.1", "--augment")
    assert yaml.safe_load(printed) == to_json(cfg)
    (tmp_path / "printed.yaml").write_text(printed)
    assert parsed("classify", "--config", str(tmp_path / "printed.yaml"))[0] == cfg
    assert main(["lms", "--print_config"]) == 0  # Lightning's spelling works too
    assert yaml.safe_load(capsys.readouterr().out)["lr"] == 0.005


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("epochs: [1\n", "--config: expected a YAML or JSON mapping of option names to values"),
        ("- 1\n- 2\n", "--config: expected a YAML or JSON mapping of option names to values"),
        ("epoch: 3\n", "--config: unknown option 'epoch' (did you mean 'epochs'?)"),
        ("epochs: zero\n", "--epochs: expected a whole number, got 'zero'"),
        ("shuffle: 3\n", "--shuffle: expected true or false, got 3"),
    ],
)
def test_a_broken_config_file_is_one_line(tmp_path, capsys, text, expected):
    (tmp_path / "run.yaml").write_text(text)
    assert main(["lms", "--config", str(tmp_path / "run.yaml"), "--logdir", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {expected}") and "\n" not in err
    assert not (tmp_path / "runs").exists()


def test_a_command_help_shows_its_options(capsys):
    assert main(["lms-sweep", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--lrs X[,X...]" in text and "(default: 0.005,0.01,0.05,0.1,0.5,1)" in text and "--data-dir" not in text


def imported_modules(*arguments: str) -> tuple[set[str], int]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "scripts/train.py", *arguments], cwd=ROOT, capture_output=True, text=True
    )
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return modules, done.returncode


@pytest.mark.parametrize(
    "arguments",
    [
        ["--help"],
        ["classify", "--help"],
        ["lms", "--epoch", "3"],
        ["lsm"],
        ["classify", "--lr", "-1"],
        ["--print-config"],
    ],
)
def test_help_and_argument_errors_import_neither_torch_nor_lightning(arguments):
    modules, status = imported_modules(*arguments)
    assert status in (0, 2)
    assert "jsonargparse" in modules  # the parser was built
    assert not {"torch", "pytorch_lightning", "lightning_fabric", "numpy"} & modules


def test_a_list_option_given_twice_adds_up_in_order(tmp_path):
    assert parsed("lms-sweep", "--lrs", "0.1", "--lrs", "0.5", "0.7")[0].lrs == (0.1, 0.5, 0.7)
    assert parsed("predict", str(tmp_path), "--text", "good, not great", "--text=awful")[0].text == (
        "good, not great",
        "awful",
    )
    assert parsed("lm", "--prompts", "A", "B", "--prompts", "C")[0].prompts == ("A", "B", "C")
    assert parsed("lms", "--w0", "1", "--w0", "2", "3")[0].w0 == (1.0, 2.0, 3.0)


def test_another_option_given_twice_needs_one_value(capsys):
    assert parsed("lms", "--lr", "0.1", "--lr=0.1")[0].lr == 0.1  # the same value twice loses nothing
    assert main(["lms", "--lr", "0.1", "--epochs", "3", "--lr", "0.5"]) == 2
    assert capsys.readouterr().err == "error: --lr given twice (0.1 and 0.5): give it once\n"


def test_the_command_line_overrides_a_config_file_wherever_it_stands(tmp_path):
    (tmp_path / "run.yaml").write_text("lrs: [0.3, 0.4]\nepochs: 4\n")
    for words in (
        ["--lrs", "0.2", "--config", str(tmp_path / "run.yaml")],
        ["--config", str(tmp_path / "run.yaml"), "--lrs", "0.2"],
    ):
        cfg, given = parsed("lms-sweep", *words)
        assert (cfg.lrs, cfg.epochs, given) == ((0.2,), 4, {"lrs", "epochs"})


def test_no_help_text_shows_a_doubled_percent_sign(capsys):
    for argv in (["--help"], *([name, "--help"] for name in commands())):
        assert main(argv) == 0
        assert "%%" not in capsys.readouterr().out
    assert main(["lm", "--help"]) == 0
    assert '(the course\'s "10 %", which' in " ".join(capsys.readouterr().out.split())


def test_texts_that_may_hold_commas_are_shown_one_quoted_word_each(capsys):
    assert main(["lm", "--help"]) == 0
    text = capsys.readouterr().out
    assert "[--prompts TEXT [TEXT ...]]" in text
    assert "(default: 'To be, or not to be,' 'The king is dead, and' 'Once upon a time')" in " ".join(text.split())
    assert main(["predict", "--help"]) == 0
    assert "--text TEXT [TEXT ...]" in capsys.readouterr().out
