"""The documents a new user reads stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app.routes import build_router
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_explained_in_env_example_and_readme() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field in Settings.model_fields.values():
        assert field.alias is not None
        assert re.search(rf"^{field.alias}=", example, re.MULTILINE), field.alias
        assert f"`{field.alias}`" in readme, field.alias


def test_every_command_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `/(\w+)", readme, re.MULTILINE))
    assert set(build_router().commands) - documented == set()
