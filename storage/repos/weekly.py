"""What the weekly work needs beyond ActivityRepo: who to address, and week-by-week series."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.permissions import Scope
from bot.core.roles import Role
from storage.repos._sql import fetch_all, scalar
from storage.repos.rollup_sql import rollup_in


class Recipient(BaseModel):
    """A member and one chat to reach them on (``channel`` None: no linked chat)."""

    model_config = ConfigDict(frozen=True)

    member_id: int
    name: str
    language: str | None
    scope_id: str | None = None      # a grant's commune code / province code / team id
    team_id: int | None = None
    channel: str | None = None
    chat_id: str | None = None


def _recipients(rows: Iterable[aiosqlite.Row]) -> list[Recipient]:
    return [Recipient(**dict(r)) for r in rows]


class WeeklyRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def grant_holders(self, role: Role) -> list[Recipient]:
        """Active holders of a role, one row per linked chat (or one without a chat)."""
        rows = await fetch_all(
            self.conn,
            "SELECT m.id AS member_id, m.full_name AS name, m.language, g.scope_id,"
            " m.team_id, i.channel, i.chat_id FROM role_grants g"
            " JOIN members m ON m.id = g.member_id AND m.active"
            " LEFT JOIN identities i ON i.member_id = m.id"
            " WHERE g.role = ? ORDER BY g.scope_id, m.id, i.channel",
            (role.value,),
        )
        return _recipients(rows)

    async def team_members(self, province: str) -> list[Recipient]:
        """Active members of the province's active teams, one row per linked chat."""
        rows = await fetch_all(
            self.conn,
            "SELECT m.id AS member_id, m.full_name AS name, m.language, m.team_id,"
            " i.channel, i.chat_id FROM members m"
            " JOIN teams t ON t.id = m.team_id AND t.active"
            " JOIN communes c ON c.code = t.commune_code AND c.province_code = ?"
            " LEFT JOIN identities i ON i.member_id = m.id"
            " WHERE m.active ORDER BY t.id, m.name_key, i.channel",
            (province,),
        )
        return _recipients(rows)

    async def weekly_citizens(self, scope: Scope, first_monday: date, weeks: int) -> list[int]:
        """Citizens helped per week, ``weeks`` weeks from ``first_monday`` (zeros included)."""
        table = "member_day" if scope.team is not None else "commune_day"
        where, params = rollup_in(scope)
        last = first_monday + timedelta(days=7 * weeks - 1)
        rows = await fetch_all(
            self.conn,
            "SELECT CAST((julianday(r.day) - julianday(?)) / 7 AS INTEGER),"
            f" SUM(r.citizens) FROM {table} r WHERE {where} AND r.day BETWEEN ? AND ?"
            " GROUP BY 1",
            [first_monday.isoformat(), *params, first_monday.isoformat(), last.isoformat()],
        )
        series = [0] * weeks
        for index, citizens in rows:
            series[int(index)] = int(citizens)
        return series

    async def has_sessions(self) -> bool:
        return bool(await scalar(self.conn, "SELECT EXISTS (SELECT 1 FROM sessions)"))

    async def add_demo_sessions(self, rows: list[tuple[Any, ...]]) -> None:
        """Bulk insert for the demo seed only: (member, team, commune, category, citizens,
        date, channel, idempotency key, created_at); existing keys are kept."""
        await self.conn.executemany(
            "INSERT INTO sessions (member_id, team_id, commune_code, category_id, citizens,"
            " session_date, channel, idempotency_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING",
            rows,
        )
