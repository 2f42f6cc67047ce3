"""Natural order for names with numbers: "Ấp 2" before "Ấp 10", "Khu vực 9" before "Khu vực 11".

Plain text order puts "Ấp 10" before "Ấp 2", which nobody reading a list of hamlets expects.
Two forms of the same order: :func:`natural_key` to sort Python lists, and :func:`sql_key`,
registered on every database connection as the SQL function ``natsort(name)`` so queries can
``ORDER BY natsort(t.name)``. Both ignore case and diacritics (as :func:`bot.core.text.fold` does).
Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

from bot.core.text import fold

_T = TypeVar("_T")
_DIGITS = re.compile(r"(\d+)")
#: Numbers are padded to this many digits in the SQL key; longer ones still sort right among
#: themselves as long as they have the same length, which is all a hamlet number ever needs.
_PAD = 10

NaturalKey = tuple[str | int, ...]
#: Keys kept: names repeat a lot ("Ấp 1" in every commune, a commune's name on each of its
#: teams), and a province's list of 5,000 teams asks for 10,000 keys.
_CACHED = 65_536


@lru_cache(maxsize=_CACHED)
def natural_key(text: str) -> NaturalKey:
    """A sort key: text parts folded, number parts as numbers, the original text last.

    ``re.split`` with a group alternates text and digits, starting and ending with text, so
    two keys always compare text with text and number with number.
    """
    parts = _DIGITS.split(fold(text))
    return (*(int(part) if i % 2 else part for i, part in enumerate(parts)), text)


@lru_cache(maxsize=_CACHED)
def sql_key(text: str | None) -> str:
    """The same order as a string (numbers zero-padded), for SQLite's ``ORDER BY``."""
    if text is None:
        return ""
    return _DIGITS.sub(lambda m: m[1].rjust(_PAD, "0"), fold(text))


def natural_sorted(items: Iterable[_T], name: Callable[[_T], str]) -> list[_T]:
    """The items in natural order of their names."""
    return sorted(items, key=lambda item: natural_key(name(item)))
