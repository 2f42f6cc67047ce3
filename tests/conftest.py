"""Shared fixtures: a real SQLite database in a temp file, a controllable clock; the
end-to-end world (the real bot polling the sandbox) comes from the plugin in tests/harness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.db import Database

pytest_plugins = [
    "tests.harness.world",
    "tests.harness.zalo_world",
    "tests.harness.inprocess",
]


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


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "test.sqlite3") as database:
        yield database


def pytest_configure(config: pytest.Config) -> None:
    # A message key missing from the catalogues fails the test that uses it, never a reply.
    from bot.core.i18n import Translator

    Translator.strict = True
