"""The web dashboard's rules: how long a login link and a browser session live, who may open it,
which periods a page can show, and how hard the login endpoint may be knocked on.

Pure: ``now`` and ``today`` are arguments; the state of the login limiter is kept by the caller.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.core import calendar as periods
from bot.core.calendar import Period
from bot.core.permissions import Action, Grant, can_somewhere
from bot.core.targets import TargetPeriod

#: A login link is for opening the dashboard now, on this phone or PC: ten minutes, one use.
LINK_TTL = timedelta(minutes=10)
#: A browser left alone for a working day is logged out: the next reader of a shared office PC
#: must not find a coordinator's session open.
IDLE_TIMEOUT = timedelta(hours=8)
#: Team leaders and above: what a team leader may see of their team in the chat (/team).
OPEN_DASHBOARD = Action.VIEW_TEAM
#: The workbook and the figures of any place below the reader's: as /export.
DOWNLOAD = Action.EXPORT

#: Period codes a dashboard URL carries: the calendar's week/month codes and quarters.
_CODE = re.compile(r"^(?:m\d{4}-\d{2}|w\d{4}-\d{2}-\d{2}|q\d{4}-[1-4])$")


def may_open(grants: tuple[Grant, ...]) -> bool:
    return can_somewhere(grants, OPEN_DASHBOARD)


def quarter_of(day: date) -> TargetPeriod:
    return TargetPeriod(date(day.year, (day.month - 1) // 3 * 3 + 1, 1), "quarter")


@dataclass(frozen=True)
class DashboardPeriod:
    """A week, a month or a quarter, as a dashboard URL names it (``?p=m2026-11``)."""

    period: Period
    code: str
    kind: str            # "week" | "month" | "quarter"
    label_vi: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end


def _of_period(period: Period) -> DashboardPeriod:
    return DashboardPeriod(period, period.code, period.kind, period.label("vi"),
                           period.label("en"))


def _of_quarter(quarter: TargetPeriod) -> DashboardPeriod:
    return DashboardPeriod(Period(quarter.start, quarter.end, "range"), quarter.code, "quarter",
                           quarter.label("vi"), quarter.label("en"))


def current(kind: str, today: date) -> DashboardPeriod:
    if kind == "week":
        return _of_period(periods.this_week(today))
    if kind == "quarter":
        return _of_quarter(quarter_of(today))
    return _of_period(periods.this_month(today))


def parse_period(code: str | None, today: date) -> DashboardPeriod | None:
    """The period of a URL's code (the month running when none); None for a malformed code or
    one that starts in the future."""
    if not code:
        return current("month", today)
    if not _CODE.match(code):
        return None
    found: DashboardPeriod | None
    if code[0] == "q":
        year, number = code[1:].split("-")
        found = _of_quarter(TargetPeriod(date(int(year), int(number) * 3 - 2, 1), "quarter"))
    else:
        period = periods.from_code(code)
        found = _of_period(period) if period is not None else None
    if found is None or found.start > today:
        return None
    return found


def neighbours(shown: DashboardPeriod, today: date
               ) -> tuple[DashboardPeriod, DashboardPeriod | None]:
    """The period before and the one after (None when that is still to come)."""
    if shown.kind == "week":
        before = _of_period(periods.last_week(shown.start))
        after: DashboardPeriod = _of_period(periods.week_of(shown.end + timedelta(days=1)))
    elif shown.kind == "quarter":
        before = _of_quarter(quarter_of(shown.start - timedelta(days=1)))
        after = _of_quarter(quarter_of(shown.end + timedelta(days=1)))
    else:
        before = _of_period(periods.last_month(shown.start))
        after = _of_period(periods.this_month(shown.end + timedelta(days=1)))
    return before, (after if after.start <= today else None)


def last_weeks(today: date, count: int = 12) -> list[Period]:
    """The ``count`` weeks up to and including this one, oldest first."""
    monday = periods.week_start(today)
    return [periods.week_of(monday - timedelta(days=7 * i)) for i in range(count - 1, -1, -1)]


def last_months(today: date, count: int = 12) -> list[Period]:
    """The ``count`` months up to and including this one, oldest first."""
    out: list[Period] = []
    first = today.replace(day=1)
    for _ in range(count):
        out.append(periods.this_month(first))
        first = (first - timedelta(days=1)).replace(day=1)
    return out[::-1]


def device_label(user_agent: str) -> str:
    """"Chrome on Android": enough to tell one's sessions apart, nothing that tracks."""
    ua = user_agent.lower()
    browser = next((name for key, name in (("edg/", "Edge"), ("firefox", "Firefox"),
                                           ("zalo", "Zalo"), ("chrom", "Chrome"),
                                           ("safari", "Safari")) if key in ua), "?")
    system = next((name for key, name in (("android", "Android"), ("iphone", "iPhone"),
                                          ("ipad", "iPad"), ("windows", "Windows"),
                                          ("mac os", "macOS"), ("linux", "Linux")) if key in ua),
                  "?")
    return f"{browser} / {system}"


@dataclass
class LoginLimiter:
    """At most ``per_window`` login attempts per client address per ``window``: a 256-bit link
    cannot be guessed, but a flood of attempts still costs database reads."""

    per_window: int = 10
    window: timedelta = timedelta(minutes=1)
    _seen: dict[str, deque[datetime]] = field(default_factory=dict)

    def allow(self, client: str, now: datetime) -> bool:
        times = self._seen.setdefault(client, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.per_window:
            return False
        times.append(now)
        if len(self._seen) > 10_000:  # forget quiet addresses rather than grow without end
            for key in [k for k, v in self._seen.items() if not v][:5_000]:
                del self._seen[key]
        return True
