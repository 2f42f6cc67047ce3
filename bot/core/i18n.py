"""Looking messages up: the Translator over catalogues loaded by :mod:`locales`.

Message ids are stable keys (``join.welcome``), not English sentences, so a wording change in one
language never orphans the other. Every file of a language is merged into one catalogue, which
lets each feature keep its own ``.po`` file. Placeholders use ``str.format`` braces and are
filled after translation — never an f-string as a key.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import ClassVar, Literal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

log = logging.getLogger(__name__)

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def placeholders(text: str) -> set[str]:
    """The named ``{placeholders}`` of a message, for checking that translations agree."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@lru_cache(maxsize=8192)
def _placeholders_of(text: str) -> frozenset[str]:
    """:func:`placeholders`, kept: every message sent asks, and the catalogues are fixed."""
    return frozenset(placeholders(text))


class MissingMessage(KeyError):
    """A message key no catalogue has: a bug (raised in strict mode, i.e. in the tests)."""


class UnfilledPlaceholder(KeyError):
    """A message asked for without one of its placeholders (raised in strict mode)."""


class UnformattedValue(TypeError):
    """A number of four digits or more, a fraction or a date handed to a message as it is,
    not written the reader's way through :meth:`Translator.number` / :meth:`Translator.date`
    (raised in strict mode: "1000000" or "12/8/26" would reach the reader)."""


#: From here on a whole number needs its thousands marked (1.000 / 1,000).
_GROUPED_FROM = 1000


def _unformatted(params: Mapping[str, object]) -> list[str]:
    return [name for name, value in params.items()
            if isinstance(value, date | float)
            or (isinstance(value, int) and not isinstance(value, bool)
                and abs(value) >= _GROUPED_FROM)]


#: English nouns the messages count, plural → singular: "1 citizens" reads wrong, and a
#: message has one wording for every count (Vietnamese nouns do not change with the number).
_SINGULAR = {
    **{f"{noun}s": noun for noun in (
        "citizen", "session", "member", "team", "commune", "ward", "day", "week", "month",
        "place", "file", "row", "message", "minute", "hour", "character", "target", "leader",
        "coordinator", "time")},
    "people": "person", "replies": "reply", "entries": "entry",
}
_ONE_PLURAL = re.compile(r"(?<![\d.,])\b(1|one) (" + "|".join(_SINGULAR) + r")\b")


def _singular_after_one(text: str) -> str:
    """"1 citizens" → "1 citizen", leaving "11 citizens" and "1,001 citizens" alone."""
    return _ONE_PLURAL.sub(lambda m: f"{m[1]} {_SINGULAR[m[2]]}", text)


class Translator:
    """Looks messages up by key and language, falling back to the default language.

    A key no catalogue has is a bug. In strict mode (the test suite turns it on) it raises, so a
    test fails; otherwise the person gets the generic apology rather than a raw key like
    ``broadcast.role.admin``.
    """

    strict: ClassVar[bool] = False

    def __init__(self, catalogues: Mapping[str, Mapping[str, str]], default: str) -> None:
        self._catalogues = catalogues
        self.default = default

    def language(self, lang: str | None) -> str:
        return lang if lang is not None and lang in self._catalogues else self.default

    def has(self, key: str) -> bool:
        return key in self._catalogues[self.default]

    def __call__(self, lang: str | None, key: str, /, **params: object) -> str:
        lang = self.language(lang)
        text = self._catalogues[lang].get(key) or self._catalogues[self.default].get(key)
        if not text:
            if self.strict:
                raise MissingMessage(key)
            log.error("missing message %r for %s", key, lang)
            return self._catalogues[lang].get("errors.generic") or "…"
        wanted = _placeholders_of(text)
        if self.strict and (raw := _unformatted({k: params[k] for k in wanted & params.keys()})):
            raise UnformattedValue(key, raw)
        if wanted - params.keys():
            # A placeholder left unfilled would reach the reader as "{example}": a bug, so the
            # tests fail on it; a person gets the sentence with the gap closed instead.
            if self.strict:
                raise UnfilledPlaceholder(key, sorted(wanted - params.keys()))
            log.error("message %r without %s", key, sorted(wanted - params.keys()))
            params = {**dict.fromkeys(wanted, ""), **params}
        filled = text.format(**params) if wanted else text
        return _singular_after_one(filled) if lang == "en" else filled

    def warm_up(self) -> None:
        """Format a number and a date in every language once: babel reads its locale data on
        first use (some 70 ms), which otherwise falls on the first person answered after a
        start — after an outage, the one who wrote during it."""
        for lang in self._catalogues:
            self.number(lang, 1234567)
            self.datetime(lang, datetime(2026, 1, 1))

    def number(self, lang: str | None, value: float) -> str:
        return format_decimal(value, locale=self.language(lang))

    def date(self, lang: str | None, value: date) -> str:
        # English: "8 Dec 2026", never "12/8/26" (month first or day first? nobody can tell).
        return format_date(value, format="d MMM yyyy" if lang == "en" else "dd/MM/yyyy",
                           locale=self.language(lang))

    def datetime(self, lang: str | None, value: datetime) -> str:
        pattern = "d MMM yyyy HH:mm" if lang == "en" else "dd/MM/yyyy HH:mm"
        return format_datetime(value, format=pattern, locale=self.language(lang))
