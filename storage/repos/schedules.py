"""The weekly schedules (digest, reminder, quiet hours) as data an admin changes."""

from __future__ import annotations

from datetime import datetime, time

import aiosqlite

from bot.core.schedule import (
    DEFAULT_DIGEST,
    DEFAULT_QUIET,
    DEFAULT_REMINDER,
    DIGEST,
    REMINDER,
    QuietHours,
    Schedules,
    Weekly,
)
from storage.repos.sql import fetch_all, ts


class ScheduleRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def current(self, default_quiet: QuietHours = DEFAULT_QUIET) -> Schedules:
        """The stored schedules; defaults for any not changed yet (quiet: QUIET_HOURS)."""
        rows = {r[0]: r for r in await fetch_all(
            self.conn, "SELECT name, weekday, at_time, end_time FROM schedules")}

        def weekly(name: str, default: Weekly) -> Weekly:
            row = rows.get(name)
            return Weekly(int(row[1]), time.fromisoformat(row[2])) if row else default

        quiet = rows.get("quiet")
        return Schedules(
            digest=weekly(DIGEST, DEFAULT_DIGEST),
            reminder=weekly(REMINDER, DEFAULT_REMINDER),
            quiet=QuietHours(time.fromisoformat(quiet[2]), time.fromisoformat(quiet[3]))
            if quiet else default_quiet,
        )

    async def set_weekly(self, name: str, weekly: Weekly, *, by: int | None,
                         now: datetime) -> None:
        await self._upsert(name, weekly.weekday, weekly.at, None, by, now)

    async def set_quiet(self, quiet: QuietHours, *, by: int | None, now: datetime) -> None:
        await self._upsert("quiet", None, quiet.start, quiet.end, by, now)

    async def _upsert(self, name: str, weekday: int | None, at: time, end: time | None,
                      by: int | None, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO schedules (name, weekday, at_time, end_time, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET weekday = excluded.weekday,"
            " at_time = excluded.at_time, end_time = excluded.end_time,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            (name, weekday, f"{at:%H:%M}", f"{end:%H:%M}" if end else None, ts(now), by),
        )
