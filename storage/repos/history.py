"""The registry as it was (``migrations/0013_history.sql``): which team a member was in on a
day. (The figures read the periods through :mod:`storage.repos.scope_sql`'s conditions.)"""

from __future__ import annotations

from datetime import date

import aiosqlite

from storage.repos.sql import fetch_all, fetch_one


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

    async def places_with_teams_on(self, day: date, *, province: str | None = None,
                                   commune: str | None = None) -> set[str]:
        """What a target list drills down to as the registry was on ``day``: the communes of
        ``province`` that had a team then, or the ids of ``commune``'s teams then (a team
        closed since still has its targets of that time; one created later has none)."""
        spans = (" AND EXISTS (SELECT 1 FROM team_spans s WHERE s.team_id = t.id"
                 " AND s.since_day <= ? AND (s.until_day IS NULL OR s.until_day >= ?))")
        if commune is not None:
            rows = await fetch_all(
                self.conn, "SELECT CAST(t.id AS TEXT) FROM teams t WHERE t.commune_code = ?"
                + spans, (commune, day.isoformat(), day.isoformat()))
        else:
            rows = await fetch_all(
                self.conn, "SELECT DISTINCT t.commune_code FROM teams t"
                " JOIN communes c ON c.code = t.commune_code WHERE c.province_code = ?"
                + spans, (province, day.isoformat(), day.isoformat()))
        return {str(r[0]) for r in rows}
