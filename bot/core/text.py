"""Text folding for forgiving matching: members often type without diacritics or in any case."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d included) and collapse whitespace.

    "Xã  Vị Thủy" and "xa vi thuy" fold to the same key, so names match however they are typed.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().casefold()


def tidy(text: str) -> str:
    """NFC-normalise and collapse whitespace, for names as they are stored and shown."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
