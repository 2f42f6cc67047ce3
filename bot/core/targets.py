"""Targets: how many citizens a place should help in a month or a quarter, and how it is doing.

A target belongs to a place (the province, a commune or a team), a category (or all of them
together) and a period — a calendar month or quarter. Progress is judged against the days of
the period that are over: a team that has helped 40 of its 100 by the 12th of a 30-day month
(11 days over) is on track (40 × 30 ≥ 100 × 11), at 30 it is behind. Integer arithmetic only.

Pure: every function takes ``today`` (the local date); no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from bot.core import calendar as periods
from bot.core.text import fold

TargetKind = Literal["month", "quarter"]

#: A target larger than this is a typing mistake, not a plan.
MAX_TARGET = 1_000_000


class Status(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"

    @property
    def emoji(self) -> str:
        return {"met": "✅", "on_track": "🟡", "behind": "🔴"}[self.value]


@dataclass(frozen=True, order=True)
class TargetPeriod:
    """A calendar month or quarter, named by its first day."""

    start: date
    kind: TargetKind

    @property
    def end(self) -> date:
        months = 1 if self.kind == "month" else 3
        year, month = divmod(self.start.month - 1 + months, 12)
        return date(self.start.year + year, month + 1, 1) - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def code(self) -> str:
        """Compact and reversible (button data): "m2026-11" (as the calendar's), "q2026-4"."""
        if self.kind == "month":
            return self._month().code
        return f"q{self.start.year}-{self.quarter}"

    def label(self, lang: str) -> str:
        if self.kind == "month":
            return self._month().label(lang)
        return (f"Q{self.quarter}/{self.start.year}" if lang == "en"
                else f"quý {self.quarter}/{self.start.year}")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def elapsed_days(self, today: date) -> int:
        """Days of the period that are over before ``today`` (0 before it starts, all after)."""
        return max(0, min(self.days, (today - self.start).days))

    def _month(self) -> periods.Period:
        return periods.month(self.start.year, self.start.month)


def month_of(day: date) -> TargetPeriod:
    return TargetPeriod(day.replace(day=1), "month")


def quarter_of(day: date) -> TargetPeriod:
    return TargetPeriod(date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), "quarter")


def periods_containing(day: date) -> tuple[TargetPeriod, TargetPeriod]:
    """The month and the quarter a day falls in: the targets that apply to it."""
    return month_of(day), quarter_of(day)


def from_code(code: str) -> TargetPeriod | None:
    try:
        if code.startswith("m"):
            year, month = code[1:].split("-")
            return TargetPeriod(date(int(year), int(month), 1), "month")
        if code.startswith("q"):
            year, quarter = code[1:].split("-")
            if not 1 <= int(quarter) <= 4:
                return None
            return TargetPeriod(date(int(year), 3 * int(quarter) - 2, 1), "quarter")
    except ValueError:
        return None
    return None


# --------------------------------------------------------------------------- progress

def status(target: int, value: int, period: TargetPeriod, today: date) -> Status:
    """✅ met; 🟡 at or above the share of the target the elapsed days call for; 🔴 below."""
    if value >= target:
        return Status.MET
    if value * period.days >= target * period.elapsed_days(today):
        return Status.ON_TRACK
    return Status.BEHIND


def expected_by_now(target: int, period: TargetPeriod, today: date) -> int:
    """The share of the target the elapsed days call for, rounded up."""
    return -(-target * period.elapsed_days(today) // period.days)


# --------------------------------------------------------------------------- typing a period

_QUARTER_RELATIVE = {"quy nay": 0, "this quarter": 0, "quy truoc": -1, "last quarter": -1,
                     "quy sau": 1, "quy toi": 1, "next quarter": 1}
_MONTH_NEXT = {"thang sau", "thang toi", "next month"}
_QUARTER = re.compile(
    r"^(?:(?:quy|quarter|q)\s*([1-4])(?:\s*(?:/|-|nam|\s)\s*(\d{4}))?"
    r"|(\d{4})\s*-?\s*q\s*([1-4]))$")


def _shift_quarter(period: TargetPeriod, quarters: int) -> TargetPeriod:
    index = period.start.year * 4 + period.quarter - 1 + quarters
    return TargetPeriod(date(index // 4, 3 * (index % 4) + 1, 1), "quarter")


def parse_target_period(text: str, today: date) -> TargetPeriod | None:
    """"tháng này", "2026-11", "11/2026", "tháng sau", "quý 4", "Q4/2026", "2026-Q4", "quý này"."""
    words = fold(text).strip(" ,;")
    if not words:
        return None
    if words in _QUARTER_RELATIVE:
        return _shift_quarter(quarter_of(today), _QUARTER_RELATIVE[words])
    if words in _MONTH_NEXT:
        return month_of(today.replace(day=1) + timedelta(days=32))
    if match := _QUARTER.match(words):
        quarter = int(match[1] or match[4])
        year_text = match[2] or match[3]
        if year_text:
            year = int(year_text)
        else:  # "quý 1" typed in December means the coming one
            year = today.year + (1 if quarter < quarter_of(today).quarter - 1 else 0)
        return TargetPeriod(date(year, 3 * quarter - 2, 1), "quarter")
    found = periods.parse_period(text, today)
    if found is not None and found.kind == "month":
        return TargetPeriod(found.start, "month")
    return None


def split_target_period(text: str, today: date) -> tuple[TargetPeriod | None, str]:
    """The longest leading run of words that is a period, and the words after it."""
    return periods.split_leading(text, lambda words: parse_target_period(words, today))


# --------------------------------------------------------------------------- /target arguments

#: Words meaning "all categories together".
ALL_WORDS = frozenset({"all", "total", "tong", "tat ca", "tatca", "tong cong", "*"})
#: Words meaning "remove this target".
OFF_WORDS = frozenset({"off", "xoa", "bo", "delete", "remove", "huy"})


class TargetInputError(ValueError):
    """The words did not make a target; ``code`` names the problem for the message."""

    def __init__(self, code: str, **params: str | int) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class TargetChange:
    """``/target [period] [place] <category> <number|off>``: what to set (value None: remove)."""

    period: TargetPeriod
    place: str                  # as typed; "" means the caller's own area
    category: int | None        # None: all categories together
    value: int | None


def parse_count(word: str) -> int | None:
    """A whole number as people type it: "200", "1.500", "1,500", "2000"."""
    cleaned = word.strip()
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+|\d+", cleaned):
        return int(re.sub(r"[.,]", "", cleaned))
    return None


def parse_target_change(args: str, today: date,
                        categories: dict[str, int]) -> TargetChange:
    """Read ``/target`` arguments. ``categories`` maps folded codes and aliases to category ids.

    The number comes last, the category just before it (one to three words: a code, a label
    or an alias); before them an optional period, then an optional place.
    """
    words = args.split()
    if len(words) < 2:
        raise TargetInputError("usage")
    last = fold(words[-1])
    value: int | None
    if last in OFF_WORDS:
        value = None
    else:
        value = parse_count(words[-1])
        if value is None:
            raise TargetInputError("bad_number", value=words[-1][:20])
        if value > MAX_TARGET:
            raise TargetInputError("too_large", limit=MAX_TARGET)
        if value == 0:
            value = None  # zero is "no target": removing is what was meant
    body = words[:-1]
    category: int | None = None
    for size in (3, 2, 1):
        if len(body) < size:
            continue
        phrase = fold(" ".join(body[-size:]))
        if phrase in ALL_WORDS:
            category, body = None, body[:-size]
            break
        if phrase in categories:
            category, body = categories[phrase], body[:-size]
            break
    else:
        raise TargetInputError("unknown_category", value=words[-2][:30])
    period, place = split_target_period(" ".join(body), today)
    return TargetChange(period=period or month_of(today), place=place, category=category,
                        value=value)
