from __future__ import annotations

import re
from pathlib import Path

from bot.core.i18n import placeholders
from locales import load_catalogue


def _catalogue(lang: str) -> dict[str, str]:
    """The registry's messages, from whichever .po file of the language holds them."""
    return {key: text for key, text in load_catalogue(lang).items()
            if key.startswith("registry.")}


def test_same_keys_and_placeholders() -> None:
    vi, en = _catalogue("vi"), _catalogue("en")
    assert set(vi) == set(en)
    for key in vi:
        assert vi[key], key
        assert en[key], key
        assert placeholders(vi[key]) == placeholders(en[key]), key


def test_every_code_used_in_code_is_in_catalogue() -> None:
    vi = load_catalogue("vi")  # every feature's file: the targets sheet keeps its own keys
    root = Path(__file__).resolve().parents[2] / "bot" / "core" / "registry"
    used: set[str] = set()
    for source in root.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        used |= set(re.findall(r'"(registry\.error\.[a-z_]+)"', text))
        used |= {f"registry.error.{name}" for name in re.findall(r'error\("([a-z_]+)"', text)}
    assert used, "no codes found"
    assert used <= set(vi), used - set(vi)
    columns = {"commune", "commune_code", "commune_name", "team", "team_kind",
               "former_district", "former_commune", "full_name", "phone", "role", "language"}
    assert {f"registry.column.{c}" for c in columns} <= set(vi)
