"""When weekly work is due, and quiet hours.

Pure: every rule takes ``now`` (an aware datetime) and the time zone; nothing here sleeps, reads
a clock or touches a channel, so tests walk a whole week by moving a fake clock.
Who is reminded of what: :mod:`bot.core.reminders`. Weeks, local dates and week keys:
:mod:`bot.core.calendar` (the ISO week, Monday–Sunday, in the configured zone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.core.calendar import Period, last_week, local_now, local_today, week_of, week_start
from bot.core.text import fold

DIGEST = "digest"
REMINDER = "reminder"
QUIET = "quiet"


@dataclass(frozen=True)
class Weekly:
    """Once a week: ISO weekday (1 = Monday … 7 = Sunday) at a local time."""

    weekday: int
    at: time

    def __post_init__(self) -> None:
        if not 1 <= self.weekday <= 7:
            raise ValueError("weekday must be 1..7 (ISO)")


@dataclass(frozen=True)
class QuietHours:
    """A daily window with no scheduled sending; it may wrap midnight (21:00–07:00).

    ``start == end`` means no quiet hours at all.
    """

    start: time
    end: time

    @property
    def off(self) -> bool:
        return self.start == self.end

    def contains(self, moment: time) -> bool:
        if self.off:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        start, end = text.replace(" ", "").split("-")
        return cls(time.fromisoformat(start), time.fromisoformat(end))

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Schedules:
    digest: Weekly
    reminder: Weekly
    quiet: QuietHours


DEFAULT_DIGEST = Weekly(1, time(7, 30))
DEFAULT_REMINDER = Weekly(5, time(16, 0))
DEFAULT_QUIET = QuietHours(time(21, 0), time(7, 0))


# --- due times ----------------------------------------------------------------------------------

def _occurrence(day: date, weekly: Weekly, tz: tzinfo) -> datetime:
    monday = week_start(day)
    return datetime.combine(monday + timedelta(days=weekly.weekday - 1), weekly.at, tz)


def latest_due(weekly: Weekly, now: datetime, tz: tzinfo) -> datetime:
    """The latest occurrence at or before ``now`` (UTC)."""
    local = local_now(now, tz)
    this_week = _occurrence(local.date(), weekly, tz)
    moment = this_week if this_week <= local else this_week - timedelta(days=7)
    return moment.astimezone(UTC)


def next_due(weekly: Weekly, now: datetime, tz: tzinfo) -> datetime:
    """The first occurrence strictly after ``now`` (UTC)."""
    return latest_due(weekly, now, tz) + timedelta(days=7)


def due_this_week(weekly: Weekly, now: datetime, tz: tzinfo) -> datetime | None:
    """The occurrence to act on now: the latest one, if it fell in the current local week.

    This is the catch-up rule: a time that passed while the bot was down is still honoured
    at start-up in the same week, never once the week has ended.
    """
    moment = latest_due(weekly, now, tz)
    same_week = week_start(local_today(moment, tz)) == week_start(local_today(now, tz))
    return moment if same_week else None


def digest_week(due: datetime, tz: tzinfo) -> Period:
    """The week a digest due at ``due`` reports: the previous full week."""
    return last_week(local_today(due, tz))


def reminder_week(due: datetime, tz: tzinfo) -> Period:
    """The week a reminder due at ``due`` is about: its own (who has logged nothing yet)."""
    return week_of(local_today(due, tz))


def after_quiet_hours(moment: datetime, quiet: QuietHours, tz: tzinfo) -> datetime:
    """``moment`` itself, or the end of the quiet hours it falls in (UTC)."""
    local = local_now(moment, tz)
    if not quiet.contains(local.time()):
        return moment.astimezone(UTC)
    end = datetime.combine(local.date(), quiet.end, tz)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(UTC)


# --- /schedule arguments ------------------------------------------------------------------------

_WEEKDAYS = {
    "mon": 1, "monday": 1, "t2": 1, "thu2": 1, "2": 1,
    "tue": 2, "tuesday": 2, "t3": 2, "thu3": 2, "3": 2,
    "wed": 3, "wednesday": 3, "t4": 3, "thu4": 3, "4": 3,
    "thu": 4, "thursday": 4, "t5": 4, "thu5": 4, "5": 4,
    "fri": 5, "friday": 5, "t6": 5, "thu6": 5, "6": 5,
    "sat": 6, "saturday": 6, "t7": 6, "thu7": 6, "7": 6,
    "sun": 7, "sunday": 7, "cn": 7, "chunhat": 7, "8": 7,
}
_TIME = re.compile(r"^([01]?\d|2[0-3])(?:[:hg.]([0-5]\d)?)?$")


class ScheduleInputError(ValueError):
    """The words did not make a schedule; ``code`` names the problem for the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_weekday(word: str) -> int | None:
    return _WEEKDAYS.get(fold(word).replace(" ", ""))


def parse_time(word: str) -> time | None:
    match = _TIME.match(fold(word).strip())
    if not match:
        return None
    return time(int(match[1]), int(match[2] or 0))


@dataclass(frozen=True)
class ScheduleChange:
    name: str  # DIGEST | REMINDER | QUIET
    weekly: Weekly | None = None
    quiet: QuietHours | None = None


def parse_change(args: str) -> ScheduleChange:
    """``digest mon 07:30`` / ``reminder t6 16h`` / ``quiet 21:00-07:00`` / ``quiet off``."""
    words = args.split()
    if not words:
        raise ScheduleInputError("usage")
    name = fold(words[0])
    name = {"nhacnho": REMINDER, "tonghop": DIGEST, "yenlang": QUIET}.get(name, name)
    if name in (DIGEST, REMINDER):
        if len(words) < 3:
            raise ScheduleInputError("need_day_time")
        day = parse_weekday(" ".join(words[1:-1]))
        if day is None:
            raise ScheduleInputError("bad_day")
        at = parse_time(words[-1])
        if at is None:
            raise ScheduleInputError("bad_time")
        return ScheduleChange(name, weekly=Weekly(day, at))
    if name == QUIET:
        rest = "".join(words[1:])
        if fold(rest) in ("off", "tat", "khong"):
            return ScheduleChange(QUIET, quiet=QuietHours(time(0), time(0)))
        parts = rest.split("-")
        if len(parts) != 2:
            raise ScheduleInputError("bad_quiet")
        start, end = parse_time(parts[0]), parse_time(parts[1])
        if start is None or end is None:
            raise ScheduleInputError("bad_quiet")
        return ScheduleChange(QUIET, quiet=QuietHours(start, end))
    raise ScheduleInputError("usage")
