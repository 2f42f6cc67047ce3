"""Rules for logging an assistance session: validation, masking personal data. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

NOTE_MAX_CHARS = 500
MASK = "***"

# A run of digits, possibly grouped with spaces, dots or dashes ("0912 345 678", "079.123.456.789"),
# optionally with the +84 country code. Dates ("20/11/2026") and small counts never match.
_NUMBER_RUN = re.compile(r"(?<![\w+])(?:\+84[\s.\-]?)?\d(?:[\s.\-]?\d){7,13}(?!\w)")


class Problem(StrEnum):
    """Why a value was refused; each has a message telling the member what to do."""

    CITIZENS_NOT_A_NUMBER = "citizens_not_a_number"
    CITIZENS_OUT_OF_RANGE = "citizens_out_of_range"
    DATE_UNREADABLE = "date_unreadable"
    DATE_IN_FUTURE = "date_in_future"
    DATE_TOO_OLD = "date_too_old"
    NOTE_TOO_LONG = "note_too_long"


@dataclass(frozen=True)
class Limits:
    max_citizens: int = 500
    max_age_days: int = 31


def check_citizens(value: int, limits: Limits) -> Problem | None:
    return None if 1 <= value <= limits.max_citizens else Problem.CITIZENS_OUT_OF_RANGE


def parse_citizens(text: str, limits: Limits) -> int | Problem:
    digits = text.strip()
    if not re.fullmatch(r"\d{1,6}", digits):
        return Problem.CITIZENS_NOT_A_NUMBER
    value = int(digits)
    return check_citizens(value, limits) or value


def check_day(day: date, today: date, limits: Limits) -> Problem | None:
    if day > today:
        return Problem.DATE_IN_FUTURE
    if day < today - timedelta(days=limits.max_age_days):
        return Problem.DATE_TOO_OLD
    return None


def parse_day(text: str, today: date) -> date | None:
    """"20/11", "20-11-2026", "20.11.26" → a date (the current year unless given)."""
    match = re.fullmatch(r"\s*(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?\s*", text)
    if not match:
        return None
    day, month = int(match[1]), int(match[2])
    year = today.year if match[3] is None else int(match[3])
    if year < 100:
        year += 2000
    if match[3] is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    # No year: the nearest such day ("28/12" typed on 2 January means last December).
    candidates = []
    for candidate_year in (year - 1, year, year + 1):
        try:
            candidates.append(date(candidate_year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs(d - today), default=None)


@dataclass(frozen=True)
class MaskedNote:
    text: str
    masked: bool


def mask_personal_numbers(note: str) -> MaskedNote:
    """Hide citizens' ID numbers (9 or 12 digits) and phone numbers typed into a note.

    The law on personal data protection applies: the bot keeps counts, not identities, so any
    run of 9–13 digits (an ID card or a phone number, however grouped) is replaced before
    storage.
    """
    masked = False

    def replace(match: re.Match[str]) -> str:
        nonlocal masked
        digits = re.sub(r"\D", "", match[0])
        if 9 <= len(digits) <= 13:  # ID cards 9/12, phones 10/11, 0084… 13
            masked = True
            return MASK
        return match[0]

    return MaskedNote(_NUMBER_RUN.sub(replace, note), masked)


def check_note(note: str) -> Problem | None:
    return Problem.NOTE_TOO_LONG if len(note) > NOTE_MAX_CHARS else None


def can_undo(created_at: datetime, now: datetime, window: timedelta) -> bool:
    return now - created_at <= window
