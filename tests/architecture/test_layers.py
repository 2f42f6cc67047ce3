"""The layers are a checked contract (``[tool.importlinter]`` in pyproject.toml, run by
``make lint``): an import that breaks them fails CI. These tests show the check bites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage", "locales")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
         " sys.exit(lint_imports_command())", "--no-cache"],
        cwd=tree, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the source tree, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.po", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def break_with(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_tree_as_it_is_keeps_every_contract(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("bot.core.permissions", "import telegram", "Rules are pure"),
    ("bot.core.calendar", "import storage.db", "Each layer imports only the layers below"),
    ("storage.repos.members", "import handlers.kit.context", "Each layer imports only the layers"),
    ("handlers.steering.stats", "import bot.app.jobs", "Each layer imports only the layers below"),
    ("bot.sandbox.people", "import handlers.kit.dispatch", "The sandbox is a product of its own"),
    ("bot.channels.zalo", "import storage.repos", "Channels are adapters to their Bot APIs"),
    ("handlers.kit.context", "import handlers.members.card", "Features stand on the kit"),
    ("handlers.logging.flow", "import handlers.members.card", "Features stand on the kit"),
    ("handlers.teams.command", "import handlers.steering.figures", "Features stand on the kit"),
    ("handlers.render.charts", "import handlers.kit.context", "Features stand on the kit"),
    ("bot.app.sender", "from telegram import error", "Only the Telegram adapter and its wiring"),
])
def test_a_wrong_import_breaks_the_contract(tree: Path, module: str, line: str,
                                            contract: str) -> None:
    break_with(tree, module, line)
    result = lint_imports(tree)
    assert result.returncode != 0
    assert contract in result.stdout
    assert "BROKEN" in result.stdout
