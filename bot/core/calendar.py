"""The calendar, in one place: the local day, weeks, months, and periods as people type them.

Pure: every function takes ``now`` (an aware datetime) and the zone, or ``today`` (the local
date); nothing here reads a clock. Weeks are ISO weeks, Monday to Sunday, as in Vietnam; the
zone is the configured one (Asia/Ho_Chi_Minh, no daylight saving).

A :class:`Period` is an inclusive range of local dates with a kind ("tháng 11/2026",
"tuần 16/11–22/11/2026", "01/11–15/11/2026"). It is also the digest's period: a digest reports
a week, or "this week so far" — the same week cut at today (:meth:`Period.so_far`), which
:attr:`Period.partial` tells apart and :meth:`Period.week_before` compares with the same days a
week earlier. One class rather than two: the digest's week and the week a coordinator types
or presses are the same days with the same label, and two classes made every handler convert.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal, TypeVar

from bot.core.text import fold

PeriodKind = Literal["day", "week", "month", "year", "range"]
T = TypeVar("T")

#: Longer than this is refused: a year of sessions is what a report ever needs.
MAX_DAYS = 366
WEEK = timedelta(days=7)


# --- the local day ------------------------------------------------------------------------------

def local_now(now: datetime, tz: tzinfo) -> datetime:
    """``now`` on the wall clock of ``tz``."""
    return now.astimezone(tz)


def local_today(now: datetime, tz: tzinfo) -> date:
    """The date in ``tz`` at the instant ``now``: what "today" means to the people using it."""
    return local_now(now, tz).date()


# --- periods ------------------------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _english_day(day: date) -> str:
    """"8 Dec 2026": the same as the Translator's English dates."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: PeriodKind

    @property
    def code(self) -> str:
        """Compact and reversible (button data): "m2026-11", "w2026-11-16", "r20261101-20261115".

        A code names the whole week, month or year: a period cut short by :meth:`so_far` comes
        back whole from :func:`from_code`.
        """
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
        """"tháng 11/2026", "tuần 16/11–22/11/2026", "01/11/2026–15/11/2026"; in English the
        month by name ("Nov 2026", "week 16–22 Nov 2026"): "09/11" reads as 11 September to
        half the English-reading world."""
        if lang == "en":
            return self._english_label()
        if self.kind == "month":
            return f"tháng {self.start:%m/%Y}"
        if self.kind == "year":
            return f"năm {self.start.year}"
        if self.kind == "day":
            return f"{self.start:%d/%m/%Y}"
        if self.kind == "week":
            return f"tuần {self.start:%d/%m}–{self.end:%d/%m/%Y}"
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    def _english_label(self) -> str:
        start, end = self.start, self.end
        if self.kind == "month":
            return f"{_MONTHS[start.month - 1]} {start.year}"
        if self.kind == "year":
            return str(start.year)
        if self.kind == "day":
            return _english_day(start)
        if start.year != end.year:
            first = _english_day(start)
        elif start.month != end.month:
            first = f"{start.day} {_MONTHS[start.month - 1]}"
        else:
            first = str(start.day)
        both = f"{first}–{_english_day(end)}"
        return f"week {both}" if self.kind == "week" else both

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def partial(self) -> bool:
        """Cut short before its week, month or year is over ("this week so far")."""
        return self.end < self._natural_end()

    def so_far(self, today: date) -> Period:
        """The period up to and including ``today`` (all of it once it is over)."""
        return replace(self, end=min(self.end, today))

    def week_before(self) -> Period:
        """The same days one week earlier: a fair comparison for a week still running."""
        kind: PeriodKind = self.kind if self.kind in ("day", "week") else "range"
        return Period(self.start - WEEK, self.end - WEEK, kind)

    def months(self) -> list[date]:
        """The first day of every month the period touches, in order."""
        out: list[date] = []
        current = self.start.replace(day=1)
        while current <= self.end:
            out.append(current)
            current = _next_month(current)
        return out

    def _natural_end(self) -> date:
        if self.kind == "week":
            return self.start + timedelta(days=6)
        if self.kind == "month":
            return _next_month(self.start.replace(day=1)) - timedelta(days=1)
        if self.kind == "year":
            return date(self.start.year, 12, 31)
        return self.end


# --- weeks --------------------------------------------------------------------------------------

def week_start(day: date) -> date:
    """The Monday of the week holding ``day`` (weeks start on Monday, as in Vietnam)."""
    return day - timedelta(days=day.weekday())


def week_of(day: date) -> Period:
    start = week_start(day)
    return Period(start, start + timedelta(days=6), "week")


def this_week(today: date) -> Period:
    return week_of(today)


def last_week(today: date) -> Period:
    return week_of(today - WEEK)


def iso_week_key(day: date) -> str:
    """``2026-W47``: the ISO year and week, the period part of every dedup key."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week_key(key: str) -> date:
    """The Monday of ``2026-W47`` (ValueError for anything else)."""
    year, week = key.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def end_of_week(moment: datetime, tz: tzinfo) -> datetime:
    """The instant the local week holding ``moment`` ends (next Monday 00:00), in UTC."""
    sunday = week_of(local_today(moment, tz)).end
    return datetime.combine(sunday + timedelta(days=1), time(0), tz).astimezone(UTC)


_WEEK_NUMBER = re.compile(r"^(?:(\d{4})\s*-?\s*)?(?:w|tuan|week)\s*(\d{1,2})$")


def parse_week_number(text: str, today: date) -> Period | None:
    """"tuần 46", "week 46", "w46", "2026-W46" → that ISO week; None when it is not a week number.

    Without a year, a week still to come means last year's ("tuần 52" typed in January).
    ValueError for a week the year does not have ("tuần 54").
    """
    match = _WEEK_NUMBER.match(fold(text))
    if not match:
        return None
    year = int(match[1]) if match[1] else today.year
    monday = date.fromisocalendar(year, int(match[2]), 1)
    if not match[1] and monday > week_start(today):
        monday = date.fromisocalendar(year - 1, int(match[2]), 1)
    return week_of(monday)


# --- months and years ---------------------------------------------------------------------------

def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month(year: int, month_number: int) -> Period:
    start = date(year, month_number, 1)
    return Period(start, _next_month(start) - timedelta(days=1), "month")


def this_month(today: date) -> Period:
    return month(today.year, today.month)


def last_month(today: date) -> Period:
    previous = today.replace(day=1) - timedelta(days=1)
    return month(previous.year, previous.month)


def _year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def _one_day(day: date) -> Period:
    return Period(day, day, "day")


# --- periods from codes and text ----------------------------------------------------------------

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
            return _year(int(rest))
        if kind == "d":
            return _one_day(date.fromisoformat(rest))
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
        return _one_day(today - timedelta(days=_DAYS[words]))
    if words in _YEARS:
        return _year(today.year - _YEARS[words])
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
            return _year(int(match[1]))
        if match := _RANGE.match(words):
            start = _day(match.groups()[:6], today)
            end = _day(match.groups()[6:], today)
            return _range(start, end)
        if match := _ONE_DAY.match(words):
            return _one_day(_day(match.groups(), today))
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
    return split_leading(text, lambda words: parse_period(words, today))


def split_leading(text: str, parse: Callable[[str], T | None]) -> tuple[T | None, str]:
    """The longest leading run of words ``parse`` accepts, what it made of them, and the rest."""
    words = text.split()
    for cut in range(len(words), 0, -1):
        found = parse(" ".join(words[:cut]))
        if found is not None:
            return found, " ".join(words[cut:])
    return None, text.strip()
