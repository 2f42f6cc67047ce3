"""No module reaches into another's private names: what is shared is public.

A leading underscore says "only this module relies on it"; once another module imports it,
a change that looks local breaks a stranger. So across ``bot/``, ``handlers/`` and ``storage/``:
no ``from x import _name``, and a private module (``_x``) is imported only from inside the
package that holds it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("bot", "handlers", "storage")
#: Our own top-level packages: a third-party library's internals are its own business.
OURS = ("bot", "handlers", "storage", "locales")


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_reaches(source: str, module: str, is_package: bool) -> list[str]:
    """What ``module`` imports that is private to somewhere else, one line per import."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [(node.module, [alias.name for alias in node.names])]
        elif isinstance(node, ast.Import):
            targets = [(alias.name, []) for alias in node.names]
        else:
            continue
        for target, names in targets:
            if target.split(".")[0] not in OURS:
                continue
            parts = target.split(".")
            for i, part in enumerate(parts):
                owner = ".".join(parts[:i])
                if _private(part) and not (package == owner or package.startswith(owner + ".")):
                    found.append(f"{module}:{node.lineno} imports private module {target}")
            found += [f"{module}:{node.lineno} imports {target}.{name}"
                      for name in names if _private(name) and target != module]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    found = []
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            found += private_reaches(path.read_text(encoding="utf-8"), module_name(path),
                                     path.name == "__init__.py")
    assert found == []


@pytest.mark.parametrize(("module", "source"), [
    ("handlers.members.add", "from handlers.members.card import _actor"),
    ("handlers.kit.context", "import storage.repos._helpers"),
    ("handlers.kit.context", "from storage.repos._helpers import ts"),
])
def test_the_check_bites(module: str, source: str) -> None:
    assert private_reaches(source, module, is_package=False) != []


@pytest.mark.parametrize(("module", "source"), [
    ("storage.repos.members", "from storage.repos._helpers import ts"),
    ("bot.channels.request", "from telegram._utils.types import ODVInput"),
    ("handlers.kit.context", "from handlers.kit.caller import load_caller"),
])
def test_what_stays_allowed(module: str, source: str) -> None:
    assert private_reaches(source, module, is_package=False) == []
