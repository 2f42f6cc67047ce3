"""The registry as it was (``migrations/0013_history.sql``): which team a member was in on a
day. (The figures read the periods through :mod:`storage.repos.scope_sql`'s conditions.)"""

from __future__ import annotations

from datetime import date

import aiosqlite

from storage.repos.sql import fetch_one


class HistoryRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def team_on(self, member_id: int, day: date) -> tuple[int, str] | None:
        """(team id, commune code) of the member's team on ``day``; None if in none then."""
        row = await fetch_one(
            self.conn,
            "SELECT ms.team_id, t.commune_code FROM memberships ms"
            " JOIN teams t ON t.id = ms.team_id WHERE ms.member_id = ? AND ms.since_day <= ?"
            " AND (ms.until_day IS NULL OR ms.until_day >= ?)"
            " ORDER BY ms.since_day DESC, ms.id DESC LIMIT 1",
            (member_id, day.isoformat(), day.isoformat()))
        return (int(row[0]), str(row[1])) if row else None
