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
from functools import lru_cache

from bot.core.assistance import parse_day
from bot.core.models import Category
from bot.core.text import fold

#: How alike a typed phrase and an alias must be to count as a typo of it.
FUZZY_THRESHOLD = 0.84

# "qua" alone ("hướng dẫn qua Zalo": via) and "nay" alone are everyday words in a note: only the
# two-word phrases and the English words mean a day.
_DAY_WORDS = {
    ("hom", "nay"): 0, ("today",): 0,
    ("hom", "qua"): 1, ("yesterday",): 1,
    ("hom", "kia"): 2,
}
_DATE = re.compile(r"^\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?$")

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class QuickLog:
    category: Category | None
    citizens: int | None
    day: date | None
    note: str

    @property
    def complete(self) -> bool:
        return self.category is not None and self.citizens is not None


@lru_cache(maxsize=8)
def _codes(categories: tuple[Category, ...]) -> dict[str, Category]:
    return {fold(c.code): c for c in categories}


@lru_cache(maxsize=8)
def _index(categories: tuple[Category, ...]) -> dict[str, list[tuple[Phrase, Category]]]:
    """Folded phrases (code, labels, aliases) by their first word, longest first."""
    index: dict[str, list[tuple[Phrase, Category]]] = {}
    for category in categories:
        phrases = {fold(a) for a in (*category.aliases, category.code, category.label_vi,
                                     category.label_en)}
        for phrase in phrases:
            words = tuple(phrase.split())
            if words:
                index.setdefault(words[0], []).append((words, category))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def _match_category(words: Sequence[str], categories: Sequence[Category]
                    ) -> tuple[Category, int, int] | None:
    """(category, start, length) of the phrase typed first: exact matches of folded words first
    (at the same position the longest phrase wins); a typo only when nothing matched exactly.

    What comes first is what the member meant: in "cks 2 hướng dẫn dịch vụ công" the code
    "cks" names the category and "dịch vụ công" is part of the note. A code is one word and
    is never part of another category's longer alias.
    """
    frozen = tuple(categories)
    index, codes = _index(frozen), _codes(frozen)
    for start, word in enumerate(words):
        longest = next(((category, start, len(phrase)) for phrase, category in index.get(word, ())
                        if tuple(words[start:start + len(phrase)]) == phrase), None)
        coded = codes.get(word)
        if coded is not None and (longest is None or longest[0] != coded):
            return coded, start, 1  # another category's longer alias never takes a code
        if longest is not None:
            return longest
    return _fuzzy(words, index)


def _fuzzy(words: Sequence[str], index: dict[str, list[tuple[Phrase, Category]]]
           ) -> tuple[Category, int, int] | None:
    phrases = [entry for entries in index.values() for entry in entries]
    for start in range(len(words)):
        if words[start].isdigit():
            continue
        best: tuple[float, int, Category] | None = None
        for phrase, category in phrases:
            size = len(phrase)
            target = " ".join(phrase)
            if len(target) < 4 or start + size > len(words):  # "qr", "tt": too short to guess
                continue
            typed = " ".join(words[start:start + size])
            if 2 * min(len(typed), len(target)) / (len(typed) + len(target)) < FUZZY_THRESHOLD:
                continue  # the lengths alone rule it out: no need to compare
            matcher = SequenceMatcher(None, typed, target)
            if matcher.quick_ratio() < FUZZY_THRESHOLD:
                continue
            score = matcher.ratio()
            if score >= FUZZY_THRESHOLD and (best is None or (score, size) > best[:2]):
                best = (score, size, category)
        if best is not None:
            return best[2], start, best[1]
    return None


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
