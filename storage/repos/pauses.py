"""Members' pauses of their reminders (see :mod:`bot.core.pause`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import aiosqlite

from storage.repos.sql import fetch_all, ts


class PauseRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def set(self, member_id: int, until: date, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO reminder_pauses (member_id, until, set_at) VALUES (?, ?, ?)"
            " ON CONFLICT(member_id) DO UPDATE SET until = excluded.until,"
            " set_at = excluded.set_at",
            (member_id, until.isoformat(), ts(now)))

    async def clear(self, member_id: int) -> bool:
        cursor = await self.conn.execute("DELETE FROM reminder_pauses WHERE member_id = ?",
                                         (member_id,))
        return cursor.rowcount > 0

    async def current(self, today: date, member_ids: Iterable[int] | None = None
                      ) -> dict[int, date]:
        """Member id → last day paused, for pauses still running on ``today``."""
        rows = await fetch_all(
            self.conn, "SELECT member_id, until FROM reminder_pauses WHERE until >= ?",
            (today.isoformat(),))
        wanted = None if member_ids is None else set(member_ids)
        return {int(r[0]): date.fromisoformat(r[1]) for r in rows
                if wanted is None or int(r[0]) in wanted}
