"""The controllable clock, a pytest plugin (see tests/conftest.py): time moves only when a test
says so, so nothing waits on real sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # Monday 09:00 in Vietnam


def at(clock: FakeClock, local: str) -> None:
    """Move the clock to a local (Vietnam) time, e.g. "2026-11-27 16:00"."""
    clock.now = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


#: How long before the tests' "now" the hand-built registries were created.
REGISTRY_AGE = timedelta(days=400)
