"""The provinces and centrally-run cities after the 2025 merger (34), from ``vietnam-provinces``.

Each deployment serves one province — its own bot tokens, database and rate limits — named by
``PROVINCE_CODE``. Codes are the official two-digit ones ("01" Hà Nội, "79" Hồ Chí Minh City,
"92" Cần Thơ); "1" and "001" are read as "01".
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict
from vietnam_provinces import Province

from bot.core.text import tidy

#: The province of the demo (the former Hậu Giang province is now part of Cần Thơ city).
DEFAULT_PROVINCE_CODE = "92"


class UnknownProvince(ValueError):
    """Not the code of a province after the 2025 merger."""

    def __init__(self, value: str) -> None:
        super().__init__(f"{value!r} is not the official code of a province or city (2025)")
        self.value = value


class ProvinceInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str  # two digits: "04", "79", "92"
    name: str  # as officially written: "Cao Bằng", "Thành phố Hồ Chí Minh"


@lru_cache(maxsize=1)
def _all() -> dict[str, ProvinceInfo]:
    found = (ProvinceInfo(code=f"{int(p.code):02d}", name=tidy(p.name))
             for p in Province.iter_all())
    return {p.code: p for p in sorted(found, key=lambda p: p.code)}


def all_provinces() -> list[ProvinceInfo]:
    """The 34 provinces and cities, by code."""
    return list(_all().values())


def normalize_province_code(value: str) -> str | None:
    """" 79 " → "79", "1" → "01"; None when it is not a number of at most three digits."""
    text = value.strip()
    if not text.isdigit() or len(text) > 3:
        return None
    return f"{int(text):02d}"


def province_info(code: str) -> ProvinceInfo:
    """The province of an official code (any spelling ``normalize_province_code`` reads)."""
    normalized = normalize_province_code(code)
    found = _all().get(normalized) if normalized is not None else None
    if found is None:
        raise UnknownProvince(code)
    return found


__all__ = [
    "DEFAULT_PROVINCE_CODE",
    "ProvinceInfo",
    "UnknownProvince",
    "all_provinces",
    "normalize_province_code",
    "province_info",
]
