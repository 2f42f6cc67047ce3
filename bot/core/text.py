"""Text folding for forgiving matching: members often type without diacritics or in any case."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
#: The combining marks of Vietnamese (and most Latin) diacritics, once decomposed.
_COMMON_MARKS = re.compile("[\u0300-\u036f]")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d included) and collapse whitespace.

    "Xã  Vị Thủy" and "xa vi thuy" fold to the same key, so names match however they are typed.
    Cached: a registry import folds the same commune, team and role names thousands of times.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = _COMMON_MARKS.sub("", decomposed)
    if not stripped.isascii():  # rarer marks (other scripts): the general rule
        stripped = "".join(ch for ch in stripped if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().casefold()


@lru_cache(maxsize=1 << 16)
def tidy(text: str) -> str:
    """NFC-normalise and collapse whitespace, for names as they are stored and shown."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
