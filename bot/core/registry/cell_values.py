"""What a registry's cells may say: roles, languages, team kinds, and team names.

Typed text in either language, any diacritics or abbreviation ("To truong", "kv3", "Tổ CNS ấp
Thạnh Lợi"), turned into the bot's values and the canonical team name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.i18n import Language
from bot.core.registry.geo import Commune, name_key
from bot.core.registry.plan import TeamKind
from bot.core.roles import Role
from bot.core.text import fold, tidy


def _aliases(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(alias): value for value, aliases in table.items() for alias in aliases}


_ROLES: dict[str, Role] = {
    key: Role(value) for key, value in _aliases({
        Role.MEMBER.value: ("thành viên", "member", "tv", "thành viên tổ", "tổ viên"),
        Role.TEAM_LEADER.value: ("tổ trưởng", "team leader", "leader", "team_leader", "tt"),
        Role.COMMUNE_COORDINATOR.value: (
            "điều phối xã", "điều phối phường", "điều phối xã/phường", "điều phối cấp xã",
            "commune coordinator", "commune_coordinator", "ward coordinator",
        ),
        Role.PROVINCE_COORDINATOR.value: (
            "điều phối tỉnh", "điều phối thành phố", "điều phối cấp tỉnh", "điều phối tp",
            "province coordinator", "province_coordinator", "city coordinator",
        ),
        Role.ADMIN.value: ("quản trị", "quản trị viên", "admin", "administrator"),
    }).items()
}

_LANGUAGES: dict[str, str] = _aliases({
    "vi": ("vi", "vie", "vn", "tiếng việt", "việt", "vietnamese"),
    "en": ("en", "eng", "english", "tiếng anh", "anh"),
})

_KINDS: dict[str, str] = _aliases({
    "hamlet": ("ấp", "hamlet", "thôn", "bản", "ấp/thôn", "village"),
    "area": ("khu vực", "kv", "area", "khóm", "khu phố", "tổ dân phố", "tdp", "neighbourhood",
             "neighborhood"),
    "commune": ("xã", "phường", "xã/phường", "phường/xã", "cấp xã", "commune", "ward",
                "đặc khu"),
})

# A team name's leading words (folded) → (kind, canonical prefix or None to keep as typed).
_TEAM_PREFIXES: tuple[tuple[tuple[str, ...], TeamKind, str | None], ...] = (
    (("khu", "vuc"), "area", "Khu vực"),
    (("kv",), "area", "Khu vực"),
    (("khu", "pho"), "area", None),
    (("to", "dan", "pho"), "area", None),
    (("khom",), "area", None),
    (("ap",), "hamlet", "Ấp"),
    (("thon",), "hamlet", None),
    (("ban",), "hamlet", None),
)
_GLUED = re.compile(r"^(kv|ap)\.?\s*(\d.*)$")
_TEAM_NOISE = re.compile(
    r"^t[oổ]\s+(c[oô]ng\s+ngh[eệ]\s+s[oố](\s+c[oộ]ng\s+[dđ][oồ]ng)?|cns)\s*", re.IGNORECASE)
_COMMUNE_TEAM_WORDS = {"xa", "phuong", "to xa", "to phuong", "cap xa", "to cap xa", "commune"}


def parse_role(value: str) -> Role | None:
    """Role from typed text ("To truong" → TEAM_LEADER); blank is MEMBER; None if unknown."""
    key = fold(value)
    if not key:
        return Role.MEMBER
    return _ROLES.get(key)


def parse_language(value: str) -> tuple[bool, Language | None]:
    """(recognised, language); blank → (True, None)."""
    key = fold(value)
    if not key:
        return True, None
    found = _LANGUAGES.get(key)
    if found == "vi":
        return True, "vi"
    if found == "en":
        return True, "en"
    return False, None


def parse_kind(value: str) -> tuple[bool, TeamKind | None]:
    key = fold(value)
    if not key:
        return True, None
    found = _KINDS.get(key)
    if found == "hamlet":
        return True, "hamlet"
    if found == "area":
        return True, "area"
    if found == "commune":
        return True, "commune"
    return False, None


def _capitalise(rest: str) -> str:
    # Keep the user's casing unless everything was typed in lower case.
    return rest.title() if rest == rest.lower() else rest


@lru_cache(maxsize=1 << 14)
def split_team_name(name: str) -> tuple[TeamKind | None, str | None, str]:
    """(kind from prefix, canonical prefix, rest): "kv3" → ("area", "Khu vực", "3").

    A leading "Tổ CNS"/"Tổ công nghệ số (cộng đồng)" is dropped. With no recognised prefix the
    result is (None, None, name).
    """
    text = _TEAM_NOISE.sub("", tidy(name)).strip()
    folded_text = fold(text)
    glued = _GLUED.match(folded_text)
    if glued and len(folded_text) == len(text):
        glued_kind: TeamKind = "area" if glued.group(1) == "kv" else "hamlet"
        return (glued_kind, "Khu vực" if glued_kind == "area" else "Ấp",
                _capitalise(text[glued.start(2):]))
    words = text.split(" ")
    folded = [fold(word).rstrip(".") for word in words]
    if len(words) > 1 and folded[0] == "to":
        if folded[1] in ("ap", "khu", "kv", "khom", "thon", "ban"):
            return split_team_name(" ".join(words[1:]))  # "Tổ ấp Thạnh Lợi"
        if folded[1][:1].isdigit():
            return "area", "Tổ", " ".join(words[1:])  # "Tổ 5": a tổ dân phố
    for prefix, kind, canonical in _TEAM_PREFIXES:
        n = len(prefix)
        if len(words) > n and tuple(folded[:n]) == prefix:
            typed = " ".join(words[:n])
            shown = canonical if canonical is not None else typed[0].upper() + typed[1:]
            return kind, shown, _capitalise(" ".join(words[n:]))
    return None, None, text


@lru_cache(maxsize=1 << 14)
def team_display_name(name: str, kind: TeamKind, commune: Commune) -> str:
    """The canonical team name: "ap thanh loi" → "Ấp Thạnh Lợi", "3" (area) → "Khu vực 3"."""
    if kind == "commune":
        return commune.name
    _, prefix, rest = split_team_name(name)
    if prefix is None:
        prefix = "Ấp" if kind == "hamlet" else "Khu vực"
        rest = _capitalise(rest)
    return f"{prefix} {rest}"


def looks_like_commune_team(name: str, commune: Commune) -> bool:
    key = fold(name)
    return key in _COMMUNE_TEAM_WORDS or name_key(name) == name_key(commune.name)
