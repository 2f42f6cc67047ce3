"""The health rule: what counts as wrong, and how long an outbox item has really been late."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.health import (
    DATABASE,
    OUTBOX_STUCK,
    SCHEDULER,
    HealthFigures,
    overdue_for,
    problems,
)
from bot.core.i18n import LANGUAGES
from bot.core.schedule import QuietHours
from locales import load_catalogue

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NIGHT = QuietHours(time(21), time(7))
NOON = QuietHours(time(12), time(13, 30))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize(("due", "now", "quiet", "expected"), [
    (_at(23, 9), _at(23, 9, 20), NIGHT, timedelta(minutes=20)),
    (_at(23, 20, 50), _at(23, 22), NIGHT, None),                       # quiet now: not late
    (_at(23, 20, 50), _at(24, 7, 5), NIGHT, timedelta(minutes=5)),     # counted from 07:00
    (_at(23, 20, 50), _at(24, 9), NIGHT, timedelta(hours=2)),
    (_at(24, 8), _at(24, 9), NIGHT, timedelta(hours=1)),               # due after the night
    (_at(24, 11, 55), _at(24, 14), NOON, timedelta(minutes=30)),       # a daytime window
    (_at(24, 10), _at(24, 11), NOON, timedelta(hours=1)),              # before today's window
    (_at(24, 10), _at(24, 11), QuietHours(time(0), time(0)), timedelta(hours=1)),  # none
    (None, _at(24, 11), NIGHT, None),
])
def test_time_late_leaves_out_quiet_hours(due: datetime | None, now: datetime,
                                          quiet: QuietHours, expected: timedelta | None) -> None:
    assert overdue_for(due, now.astimezone(UTC), quiet, VN) == expected


def test_what_is_wrong_in_a_stable_order() -> None:
    now = _at(23, 9, 30)
    well = HealthFigures(database=True, scheduler=True, outbox_depth=3,
                         oldest_due=_at(23, 9, 20))
    assert problems(well, now, NIGHT, VN) == ()
    late = HealthFigures(database=True, scheduler=True, outbox_depth=3,
                         oldest_due=_at(23, 9, 14))
    assert problems(late, now, NIGHT, VN) == (OUTBOX_STUCK,)
    down = HealthFigures(database=False, scheduler=False, oldest_due=_at(23, 8))
    assert problems(down, now, NIGHT, VN) == (DATABASE, SCHEDULER, OUTBOX_STUCK)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_problem_has_a_sentence_for_status(lang: str) -> None:
    catalogue = load_catalogue(lang)
    for name in (DATABASE, SCHEDULER, OUTBOX_STUCK):
        assert f"status.problem.{name}" in catalogue
