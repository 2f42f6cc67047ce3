"""The catalogues: complete in every language, placeholders agreeing, every used key present."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app.routes import build_router
from bot.core.i18n import LANGUAGES, placeholders
from bot.core.roles import Role
from locales import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = {lang: load_catalogue(lang) for lang in LANGUAGES}
# t("key") / ctx.t("key") / services.t(lang, "key") with a literal key
_KEY_USE = re.compile(r"""\bt\((?:[\w.]+,\s*)?["']([a-z_]+\.[a-z0-9_.]+)["']""")


def test_every_language_has_every_message() -> None:
    vi, en = CATALOGUES["vi"], CATALOGUES["en"]
    assert set(vi) - set(en) == set(), "missing in English"
    assert set(en) - set(vi) == set(), "missing in Vietnamese"
    assert all(text.strip() for cat in CATALOGUES.values() for text in cat.values())


def test_placeholders_agree_between_languages() -> None:
    vi, en = CATALOGUES["vi"], CATALOGUES["en"]
    differing = {key for key in vi if placeholders(vi[key]) != placeholders(en[key])}
    assert differing == set()


def test_every_key_the_code_uses_exists() -> None:
    used: set[str] = set()
    for folder in ("bot", "handlers", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(_KEY_USE.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no keys: the pattern is broken"
    assert used - set(CATALOGUES["vi"]) == set()
    assert used - set(CATALOGUES["en"]) == set()


def test_keys_built_at_run_time_exist() -> None:
    built = {f"role.{role.value}" for role in Role}
    built |= {f"cmd.{name}" for name in build_router().commands}
    built |= {f"language.{lang}" for lang in LANGUAGES}
    built |= {"channel.telegram", "channel.zalo"}
    built |= {f"join.{problem}" for problem in ("expired", "revoked", "used_up")}
    from handlers.broadcast.command import ROLE_CHOICES
    built |= {f"broadcast.role.{role.value}" for role in ROLE_CHOICES}
    assert built - set(CATALOGUES["vi"]) == set()


def test_a_missing_key_fails_in_strict_mode_and_is_never_shown_otherwise() -> None:
    import pytest

    from bot.core.i18n import MissingMessage, Translator
    from locales import translator

    t = translator()
    with pytest.raises(MissingMessage):
        t("vi", "broadcast.role.admin")
    Translator.strict = False
    try:
        assert t("vi", "broadcast.role.admin") == t("vi", "errors.generic")
    finally:
        Translator.strict = True


def test_vietnamese_is_written_with_diacritics() -> None:
    # A catalogue typed without diacritics would read as sloppy to every member.
    text = " ".join(CATALOGUES["vi"].values())
    assert re.search(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]",
                     text)
    for word in (" cua ", " nguoi ", " duoc ", " khong "):
        assert word not in f" {text.lower()} "
