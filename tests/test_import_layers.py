"""The layers of src/ import only the layers below them (docs/development.md, "Architecture"), and what the
command line loads before a command runs imports no torch: parsed from the source with ast, no import runs."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parents[1] / "src"
FOUNDATION = {"errors", "atomic", "shell", "internals"}  # src/*.py: any layer may use them
ALLOWED = {  # layer -> the other layers it may import (besides the foundation)
    "config": set(),
    "theory": set(),
    "data": {"config"},
    "modules": {"config", "data"},
    "analysis": {"data", "modules"},
    "callbacks": {"analysis", "data"},
    "experiments": {"analysis", "callbacks", "config", "data", "modules", "theory"},
    "cli": {"config", "experiments"},
}
NO_TRAINER = ("theory", "analysis")  # closed-form and analysis code: no Lightning
TORCH = ("torch", "pytorch_lightning", "lightning", "lightning_fabric", "torchmetrics", "transformers")


def imported(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Absolute module names `path` imports (top_level_only: outside functions, where they load with it)."""
    tree = ast.parse(path.read_text(), str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def layer_of(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def test_every_layer_is_known():
    layers = {layer_of(path) for path in SRC.rglob("*.py")} - {"__init__"}
    assert layers == set(ALLOWED) | FOUNDATION


def test_layers_import_only_the_layers_below():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        layer = layer_of(path)
        allowed = FOUNDATION | ({layer} if layer in FOUNDATION else ALLOWED.get(layer, set()) | {layer})
        for name in imported(path):
            parts = name.split(".")
            if parts[0] == "src" and len(parts) > 1 and parts[1] not in allowed:
                wrong.append(f"{path.relative_to(SRC.parent)} ({layer}) imports {name}")
    assert not wrong, "\n".join(wrong)


def test_analysis_and_theory_need_no_trainer():
    wrong = [
        f"{path.relative_to(SRC.parent)} imports {name}"
        for layer in NO_TRAINER
        for path in sorted((SRC / layer).rglob("*.py"))
        for name in imported(path)
        if name.split(".")[0] in ("pytorch_lightning", "lightning")
    ]
    assert not wrong, "\n".join(wrong)


def module_file(name: str) -> Path | None:
    base = SRC.parent.joinpath(*name.split("."))
    return next((path for path in (base.with_suffix(".py"), base / "__init__.py") if path.is_file()), None)


def test_what_the_command_line_loads_imports_no_torch():
    """`train.py --help` and every argument error answer at once: src.cli and everything it loads (the configs,
    the experiments' declarations), followed through their top-level imports, import torch only inside the
    functions that run a command."""
    seen: set[Path] = set()
    wrong: list[str] = []
    todo = [SRC / "cli" / "__init__.py", *(SRC / "experiments").glob("*/__init__.py")]  # registry.PACKAGES
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported(path, top_level_only=True):
            if name.split(".")[0] in TORCH:
                wrong.append(f"{path.relative_to(SRC.parent)} imports {name}")
            elif name.startswith("src.") and (found := module_file(name)) is not None:
                todo.append(found)
                todo += [p for p in (found.parent / "__init__.py",) if found.name != "__init__.py"]
    assert SRC / "experiments" / "classify" / "config.py" in seen and SRC / "config" / "images.py" in seen
    assert not wrong, "\n".join(wrong)
