"""Looking messages up: the Translator over catalogues loaded by :mod:`locales`.

Message ids are stable keys (``join.welcome``), not English sentences, so a wording change in one
language never orphans the other. Every file of a language is merged into one catalogue, which
lets each feature keep its own ``.po`` file. Placeholders use ``str.format`` braces and are
filled after translation — never an f-string as a key.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from datetime import date, datetime
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


class MissingMessage(KeyError):
    """A message key no catalogue has: a bug (raised in strict mode, i.e. in the tests)."""


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
        return text.format(**params) if params else text

    def number(self, lang: str | None, value: float) -> str:
        return format_decimal(value, locale=self.language(lang))

    def date(self, lang: str | None, value: date) -> str:
        return format_date(value, format="short" if lang == "en" else "dd/MM/yyyy",
                           locale=self.language(lang))

    def datetime(self, lang: str | None, value: datetime) -> str:
        pattern = "dd/MM/yyyy HH:mm"
        return format_datetime(value, format=pattern, locale=self.language(lang))
