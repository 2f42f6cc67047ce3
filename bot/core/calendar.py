"""Reporting periods as people type them: "2026-11", "tháng trước", "this week", "1/11-15/11".

Pure: every function takes ``today`` (the local date), never reads a clock. A period is an
inclusive range of local dates, with a label the reader recognises ("tháng 11/2026").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.core.text import fold

PeriodKind = Literal["day", "week", "month", "year", "range"]

#: Longer than this is refused: a year of sessions is what a report ever needs.
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: PeriodKind

    @property
    def code(self) -> str:
        """Compact and reversible (button data): "m2026-11", "w2026-11-16", "r20261101-20261115"."""
        if self.kind == "month":
            return f"m{self.start:%Y-%m}"
        if self.kind == "week":
            return f"w{self.start.isoformat()}"
        if self.kind == "year":
            return f"y{self.start.year}"
        if self.kind == "day":
            return f"d{self.start.isoformat()}"
        return f"r{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def label(self, lang: str) -> str:
        """"tháng 11/2026", "tuần 16/11–22/11/2026", "01/11/2026–15/11/2026"."""
        if self.kind == "month":
            return (f"{self.start:%m/%Y}" if lang == "en" else f"tháng {self.start:%m/%Y}")
        if self.kind == "year":
            return str(self.start.year) if lang == "en" else f"năm {self.start.year}"
        if self.kind == "day":
            return f"{self.start:%d/%m/%Y}"
        if self.kind == "week":
            head = "week" if lang == "en" else "tuần"
            return f"{head} {self.start:%d/%m}–{self.end:%d/%m/%Y}"
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    def months(self) -> list[date]:
        """The first day of every month the period touches, in order."""
        out: list[date] = []
        current = self.start.replace(day=1)
        while current <= self.end:
            out.append(current)
            current = _next_month(current)
        return out


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month(year: int, month_number: int) -> Period:
    start = date(year, month_number, 1)
    return Period(start, _next_month(start) - timedelta(days=1), "month")


def week_of(day: date) -> Period:
    start = day - timedelta(days=day.weekday())  # weeks start on Monday, as in Vietnam
    return Period(start, start + timedelta(days=6), "week")


def this_week(today: date) -> Period:
    return week_of(today)


def last_week(today: date) -> Period:
    return week_of(today - timedelta(days=7))


def this_month(today: date) -> Period:
    return month(today.year, today.month)


def last_month(today: date) -> Period:
    previous = today.replace(day=1) - timedelta(days=1)
    return month(previous.year, previous.month)


def from_code(code: str) -> Period | None:
    """The inverse of :attr:`Period.code` (None for anything malformed)."""
    try:
        kind, rest = code[:1], code[1:]
        if kind == "m":
            year, month_number = rest.split("-")
            return month(int(year), int(month_number))
        if kind == "w":
            return week_of(date.fromisoformat(rest))
        if kind == "y":
            return Period(date(int(rest), 1, 1), date(int(rest), 12, 31), "year")
        if kind == "d":
            day = date.fromisoformat(rest)
            return Period(day, day, "day")
        if kind == "r":
            first, last = rest.split("-")
            start = date(int(first[:4]), int(first[4:6]), int(first[6:]))
            end = date(int(last[:4]), int(last[4:6]), int(last[6:]))
            return _range(start, end)
    except ValueError:
        return None
    return None


def _range(start: date, end: date) -> Period | None:
    if end < start or (end - start).days >= MAX_DAYS:
        return None
    return Period(start, end, "range")


# Phrases, folded (no diacritics, lower case), to the period they mean relative to today.
_RELATIVE = {
    "tuan nay": this_week, "this week": this_week, "week": this_week, "tuan": this_week,
    "tuan truoc": last_week, "last week": last_week,
    "thang nay": this_month, "this month": this_month, "month": this_month, "thang": this_month,
    "thang truoc": last_month, "last month": last_month,
}
_DAYS = {"hom nay": 0, "today": 0, "hom qua": 1, "yesterday": 1}
_YEARS = {"nam nay": 0, "this year": 0, "nam truoc": 1, "nam ngoai": 1, "last year": 1}

_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(?:thang |month )?(\d{1,2})[/.-](\d{4})$")
_MONTH_ONLY = re.compile(r"^(?:thang|month) (\d{1,2})$")
_YEAR = re.compile(r"^(?:nam |year )?(\d{4})$")
_DAY = r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}))?|(\d{4})-(\d{1,2})-(\d{1,2})"
_RANGE = re.compile(rf"^(?:tu |from )?(?:{_DAY})\s*(?:-|–|\.\.|den|to)\s*(?:{_DAY})$")
_ONE_DAY = re.compile(rf"^(?:ngay |day )?(?:{_DAY})$")


def parse_period(text: str, today: date) -> Period | None:
    """A whole phrase as a period; None when it is not one (the caller says how to write it)."""
    words = fold(text).strip(" ,;")
    if not words:
        return None
    if words in _RELATIVE:
        return _RELATIVE[words](today)
    if words in _DAYS:
        day = today - timedelta(days=_DAYS[words])
        return Period(day, day, "day")
    if words in _YEARS:
        year = today.year - _YEARS[words]
        return Period(date(year, 1, 1), date(year, 12, 31), "year")
    try:
        if match := _ISO_MONTH.match(words):
            return month(int(match[1]), int(match[2]))
        if match := _MONTH_YEAR.match(words):
            return month(int(match[2]), int(match[1]))
        if match := _MONTH_ONLY.match(words):
            number = int(match[1])
            # "tháng 12" typed in January means the December just gone.
            year = today.year if number <= today.month else today.year - 1
            return month(year, number)
        if match := _YEAR.match(words):
            year = int(match[1])
            return Period(date(year, 1, 1), date(year, 12, 31), "year")
        if match := _RANGE.match(words):
            start = _day(match.groups()[:6], today)
            end = _day(match.groups()[6:], today)
            return _range(start, end)
        if match := _ONE_DAY.match(words):
            day = _day(match.groups(), today)
            return Period(day, day, "day")
    except ValueError:  # 31/02, month 13...
        return None
    return None


def _day(groups: tuple[str | None, ...], today: date) -> date:
    d, m, y, iso_y, iso_m, iso_d = groups
    if iso_y is not None:
        return date(int(iso_y), int(str(iso_m)), int(str(iso_d)))
    return date(int(y) if y else today.year, int(str(m)), int(str(d)))


def split_period(text: str, today: date) -> tuple[Period | None, str]:
    """The longest leading run of words that is a period, and the words after it.

    "tháng trước Vị Thủy" → (last month, "Vị Thủy"); "Vị Thủy" → (None, "Vị Thủy").
    """
    words = text.split()
    for cut in range(len(words), 0, -1):
        period = parse_period(" ".join(words[:cut]), today)
        if period is not None:
            return period, " ".join(words[cut:])
    return None, text.strip()
