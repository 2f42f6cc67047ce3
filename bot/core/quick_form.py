"""Understanding a session typed in one line: "3 chu ky so", "/log cks 3 họp chợ sáng".

Members type fast, on small keyboards, often without diacritics and with typos; the parser
forgives all three. It only proposes: the bot confirms what it understood before saving. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher

from bot.core.assistance import parse_day
from bot.core.models import Category
from bot.core.text import fold

#: How alike a typed phrase and an alias must be to count as a typo of it.
FUZZY_THRESHOLD = 0.84

_DAY_WORDS = {
    ("hom", "nay"): 0, ("today",): 0, ("nay",): 0,
    ("hom", "qua"): 1, ("yesterday",): 1, ("qua",): 1,
    ("hom", "kia"): 2,
}
_DATE = re.compile(r"^\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?$")


@dataclass(frozen=True)
class QuickLog:
    category: Category | None
    citizens: int | None
    day: date | None
    note: str

    @property
    def complete(self) -> bool:
        return self.category is not None and self.citizens is not None


def _aliases(category: Category) -> list[list[str]]:
    phrases = {fold(a) for a in (*category.aliases, category.code, category.label_vi,
                                 category.label_en)}
    return [p.split() for p in phrases if p]


def _match_category(words: Sequence[str], categories: Sequence[Category]
                    ) -> tuple[Category, int, int] | None:
    """(category, start, length) of the best alias found among the words, exact before fuzzy."""
    best: tuple[float, int, Category, int, int] | None = None
    for category in categories:
        for alias in _aliases(category):
            size = len(alias)
            for start in range(len(words) - size + 1):
                window = words[start:start + size]
                if window == alias:
                    score = 2.0
                else:
                    joined, target = " ".join(window), " ".join(alias)
                    if len(target) < 4:  # "qr", "tt": too short to guess a typo
                        continue
                    score = SequenceMatcher(None, joined, target).ratio()
                    if score < FUZZY_THRESHOLD:
                        continue
                candidate = (score, size, category, start, size)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
    return None if best is None else (best[2], best[3], best[4])


def parse_quick(text: str, categories: Sequence[Category], today: date) -> QuickLog:
    originals = text.split()
    words = [fold(w).strip(".,;:!?") for w in originals]
    used = [False] * len(words)

    found = _match_category(words, categories)
    category = None
    if found is not None:
        category, start, size = found
        for i in range(start, start + size):
            used[i] = True

    citizens = None
    for i, word in enumerate(words):
        if not used[i] and re.fullmatch(r"\d{1,6}", word):
            citizens, used[i] = int(word), True
            break

    day = None
    for phrase, back in sorted(_DAY_WORDS.items(), key=lambda item: -len(item[0])):
        size = len(phrase)
        for start in range(len(words) - size + 1):
            if tuple(words[start:start + size]) == phrase and not any(used[start:start + size]):
                day = today - timedelta(days=back)
                for i in range(start, start + size):
                    used[i] = True
                break
        if day is not None:
            break
    if day is None:
        for i, word in enumerate(words):
            if not used[i] and _DATE.match(word):
                day = parse_day(word, today)
                used[i] = day is not None
                break

    note = " ".join(o for o, u in zip(originals, used, strict=True) if not u)
    return QuickLog(category, citizens, day, note.strip())
