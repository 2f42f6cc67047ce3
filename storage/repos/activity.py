"""Aggregates of logged sessions for a place and a period: the numbers every report is made of.

A session counts where the member was when they logged it (``sessions.team_id`` /
``commune_code``). Periods are inclusive local dates. Undone sessions never count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.permissions import Scope
from storage.repos._sql import fetch_all
from storage.repos.scope_sql import sessions_in, teams_in


class Tally(BaseModel):
    """How many sessions, and how many citizens they helped."""

    model_config = ConfigDict(frozen=True)

    sessions: int = 0
    citizens: int = 0


class PlaceTally(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str                 # team id, commune code or member id, as text
    name: str
    commune_code: str | None = None
    commune_name: str | None = None
    team_name: str | None = None
    sessions: int = 0
    citizens: int = 0
    last_date: date | None = None   # the latest session ever, for "nothing for 14 days"


class ActivityRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def by_category(self, scope: Scope, start: date, end: date) -> dict[int, Tally]:
        where, params = sessions_in(scope)
        rows = await fetch_all(
            self.conn,
            f"SELECT s.category_id, COUNT(*), SUM(s.citizens) FROM sessions s WHERE {where}"
            " AND s.deleted_at IS NULL AND s.session_date BETWEEN ? AND ? GROUP BY s.category_id",
            [*params, start.isoformat(), end.isoformat()],
        )
        return {int(r[0]): Tally(sessions=r[1], citizens=r[2]) for r in rows}

    async def total(self, scope: Scope, start: date, end: date) -> Tally:
        tallies = (await self.by_category(scope, start, end)).values()
        return Tally(sessions=sum(t.sessions for t in tallies),
                     citizens=sum(t.citizens for t in tallies))

    async def by_team(self, scope: Scope, start: date, end: date) -> list[PlaceTally]:
        """Every active team in scope, those with nothing logged included (zeros)."""
        where, params = teams_in(scope)
        rows = await fetch_all(
            self.conn,
            "SELECT t.id, t.name, t.commune_code, c.name,"
            " COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN 1 END), 0),"
            " COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN s.citizens END), 0),"
            " MAX(s.session_date)"
            " FROM teams t JOIN communes c ON c.code = t.commune_code"
            " LEFT JOIN sessions s ON s.team_id = t.id AND s.deleted_at IS NULL"
            f" WHERE t.active AND {where} GROUP BY t.id ORDER BY natsort(c.name), natsort(t.name)",
            [start.isoformat(), end.isoformat(), start.isoformat(), end.isoformat(), *params],
        )
        return [
            PlaceTally(key=str(r[0]), name=r[1], team_name=r[1], commune_code=r[2],
                       commune_name=r[3], sessions=r[4], citizens=r[5],
                       last_date=date.fromisoformat(r[6]) if r[6] else None)
            for r in rows
        ]

    async def by_commune(self, province: str, start: date, end: date) -> list[PlaceTally]:
        """Every commune of the province that has teams, zeros included."""
        rows = await fetch_all(
            self.conn,
            "SELECT c.code, c.name,"
            " COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN 1 END), 0),"
            " COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN s.citizens END), 0),"
            " MAX(s.session_date)"
            " FROM communes c LEFT JOIN sessions s ON s.commune_code = c.code"
            " AND s.deleted_at IS NULL"
            " WHERE c.province_code = ? AND EXISTS (SELECT 1 FROM teams t"
            " WHERE t.commune_code = c.code AND t.active)"
            " GROUP BY c.code ORDER BY natsort(c.name)",
            [start.isoformat(), end.isoformat(), start.isoformat(), end.isoformat(), province],
        )
        return [
            PlaceTally(key=r[0], name=r[1], commune_code=r[0], commune_name=r[1], sessions=r[2],
                       citizens=r[3], last_date=date.fromisoformat(r[4]) if r[4] else None)
            for r in rows
        ]

    async def by_member(self, scope: Scope, start: date, end: date) -> list[PlaceTally]:
        """Every active member of the teams in scope, zeros included."""
        where, params = teams_in(scope)
        rows = await fetch_all(
            self.conn,
            "SELECT m.id, m.full_name, t.commune_code, c.name, t.name,"
            " COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN 1 END), 0),"
            " COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN s.citizens END), 0),"
            " MAX(s.session_date)"
            " FROM members m JOIN teams t ON t.id = m.team_id"
            " JOIN communes c ON c.code = t.commune_code"
            " LEFT JOIN sessions s ON s.member_id = m.id AND s.deleted_at IS NULL"
            f" WHERE m.active AND {where} GROUP BY m.id"
            " ORDER BY natsort(c.name), natsort(t.name), m.name_key",
            [start.isoformat(), end.isoformat(), start.isoformat(), end.isoformat(), *params],
        )
        return [
            PlaceTally(key=str(r[0]), name=r[1], commune_code=r[2], commune_name=r[3],
                       team_name=r[4], sessions=r[5], citizens=r[6],
                       last_date=date.fromisoformat(r[7]) if r[7] else None)
            for r in rows
        ]

    async def member_by_category(self, member_id: int, start: date, end: date
                                 ) -> dict[int, Tally]:
        rows = await fetch_all(
            self.conn,
            "SELECT category_id, COUNT(*), SUM(citizens) FROM sessions WHERE member_id = ?"
            " AND deleted_at IS NULL AND session_date BETWEEN ? AND ? GROUP BY category_id",
            [member_id, start.isoformat(), end.isoformat()],
        )
        return {int(r[0]): Tally(sessions=r[1], citizens=r[2]) for r in rows}

    async def members_with_sessions(self, member_ids: Iterable[int], start: date,
                                    end: date) -> set[int]:
        """Which of these members logged anything in the period (for reminders)."""
        ids = list(member_ids)
        if not ids:
            return set()
        found: set[int] = set()
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            marks = ",".join("?" * len(chunk))
            rows = await fetch_all(
                self.conn,
                f"SELECT DISTINCT member_id FROM sessions WHERE member_id IN ({marks})"
                " AND deleted_at IS NULL AND session_date BETWEEN ? AND ?",
                [*chunk, start.isoformat(), end.isoformat()],
            )
            found |= {int(r[0]) for r in rows}
        return found
