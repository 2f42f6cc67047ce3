"""The rows behind a spreadsheet export: each session, and tallies per place, member and month.

Like :mod:`storage.repos.activity`, a session counts where the member was when they logged it,
undone sessions never count, and periods are inclusive local dates. Tallies come back per
category id so the workbook can show one column per category, zeros included.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.natural_sort import natural_key
from bot.core.permissions import Scope
from storage.repos._sql import fetch_all
from storage.repos.scope_sql import sessions_in, teams_in


class SessionLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_date: date
    commune_name: str
    team_name: str
    member_name: str
    category_id: int
    citizens: int
    note: str | None


class PlaceRow(BaseModel):
    """A team or a commune with its tallies: ``{category_id: (sessions, citizens)}``."""

    model_config = ConfigDict(frozen=True)

    commune_name: str
    team_name: str | None = None
    members: int = 0
    by_category: dict[int, tuple[int, int]] = {}


class MemberMonthRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    month: date  # the first of the month
    member_id: int
    member_name: str
    commune_name: str
    team_name: str
    by_category: dict[int, tuple[int, int]] = {}


class ExportRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def sessions(self, scope: Scope, start: date, end: date) -> list[SessionLine]:
        where, params = sessions_in(scope)
        rows = await fetch_all(
            self.conn,
            "SELECT s.session_date, COALESCE(c.name, ''), COALESCE(t.name, ''), m.full_name,"
            " s.category_id, s.citizens, s.note FROM sessions s"
            " JOIN members m ON m.id = s.member_id"
            " LEFT JOIN teams t ON t.id = s.team_id"
            " LEFT JOIN communes c ON c.code = s.commune_code"
            f" WHERE {where} AND s.deleted_at IS NULL AND s.session_date BETWEEN ? AND ?"
            " ORDER BY s.session_date, natsort(c.name), natsort(t.name), m.name_key, s.id",
            [*params, start.isoformat(), end.isoformat()],
        )
        return [
            SessionLine(session_date=date.fromisoformat(r[0]), commune_name=r[1], team_name=r[2],
                        member_name=r[3], category_id=r[4], citizens=r[5], note=r[6])
            for r in rows
        ]

    async def teams(self, scope: Scope, start: date, end: date) -> list[PlaceRow]:
        """Every active team in scope (zeros included) with its tallies per category."""
        where, params = teams_in(scope)
        teams = await fetch_all(
            self.conn,
            "SELECT t.id, c.name, t.name, (SELECT COUNT(*) FROM members m"
            " WHERE m.team_id = t.id AND m.active)"
            " FROM teams t JOIN communes c ON c.code = t.commune_code"
            f" WHERE t.active AND {where} ORDER BY natsort(c.name), natsort(t.name)",
            params,
        )
        swhere, sparams = sessions_in(scope)
        tallies = await self._tallies("s.team_id", swhere, sparams, start, end)
        return [PlaceRow(commune_name=r[1], team_name=r[2], members=r[3],
                         by_category=tallies.get(str(r[0]), {})) for r in teams]

    async def communes(self, scope: Scope, start: date, end: date) -> list[PlaceRow]:
        """Every commune in scope that has teams, zeros included."""
        where, params = teams_in(scope)
        communes = await fetch_all(
            self.conn,
            "SELECT c.code, c.name, COUNT(DISTINCT m.id) FROM communes c"
            " JOIN teams t ON t.commune_code = c.code AND t.active"
            " LEFT JOIN members m ON m.team_id = t.id AND m.active"
            f" WHERE {where} GROUP BY c.code ORDER BY natsort(c.name)",
            params,
        )
        swhere, sparams = sessions_in(scope)
        tallies = await self._tallies("s.commune_code", swhere, sparams, start, end)
        return [PlaceRow(commune_name=r[1], members=r[2], by_category=tallies.get(str(r[0]), {}))
                for r in communes]

    async def _tallies(self, key: str, where: str, params: list[Any], start: date,
                       end: date) -> dict[str, dict[int, tuple[int, int]]]:
        rows = await fetch_all(
            self.conn,
            f"SELECT {key}, s.category_id, COUNT(*), SUM(s.citizens) FROM sessions s"
            f" WHERE {where} AND s.deleted_at IS NULL AND s.session_date BETWEEN ? AND ?"
            f" GROUP BY {key}, s.category_id",
            [*params, start.isoformat(), end.isoformat()],
        )
        out: dict[str, dict[int, tuple[int, int]]] = {}
        for r in rows:
            out.setdefault(str(r[0]), {})[int(r[1])] = (int(r[2]), int(r[3]))
        return out

    async def member_months(self, scope: Scope, start: date, end: date,
                            months: list[date]) -> list[MemberMonthRow]:
        """One row per member × month: every active member of the scope's teams (zeros too,
        since the allowance record lists everyone), plus anyone who logged sessions here in
        the period and has moved or left since."""
        where, params = teams_in(scope)
        people = await fetch_all(
            self.conn,
            "SELECT m.id, m.full_name, c.name, t.name, t.id, c.name_key, t.name_key, m.name_key"
            " FROM members m JOIN teams t ON t.id = m.team_id"
            " JOIN communes c ON c.code = t.commune_code"
            f" WHERE m.active AND t.active AND {where}",
            params,
        )
        swhere, sparams = sessions_in(scope)
        logged = await fetch_all(
            self.conn,
            "SELECT s.member_id, m.full_name, COALESCE(c.name, ''), COALESCE(t.name, ''),"
            " s.team_id, COALESCE(c.name_key, ''), COALESCE(t.name_key, ''), m.name_key,"
            " substr(s.session_date, 1, 7), s.category_id, COUNT(*), SUM(s.citizens)"
            " FROM sessions s JOIN members m ON m.id = s.member_id"
            " LEFT JOIN teams t ON t.id = s.team_id"
            " LEFT JOIN communes c ON c.code = s.commune_code"
            f" WHERE {swhere} AND s.deleted_at IS NULL AND s.session_date BETWEEN ? AND ?"
            " GROUP BY s.member_id, s.team_id, 9, s.category_id",
            [*sparams, start.isoformat(), end.isoformat()],
        )
        # A person is listed under the team they logged in (or their current one if silent).
        who: dict[tuple[int, int | None], tuple[Any, ...]] = {
            (int(r[0]), r[4]): tuple(r[:8]) for r in people}
        tallies: dict[tuple[int, int | None, str], dict[int, tuple[int, int]]] = {}
        for r in logged:
            who.setdefault((int(r[0]), r[4]), tuple(r[:8]))
            tallies.setdefault((int(r[0]), r[4], r[8]), {})[int(r[9])] = (int(r[10]), int(r[11]))
        order = sorted(who.items(), key=lambda item: (natural_key(item[1][2]),
                                                      natural_key(item[1][3]), item[1][7],
                                                      item[0][0]))
        rows: list[MemberMonthRow] = []
        for first in months:
            ym = f"{first:%Y-%m}"
            for (member_id, team_id), info in order:
                rows.append(MemberMonthRow(
                    month=first, member_id=member_id, member_name=info[1],
                    commune_name=info[2], team_name=info[3],
                    by_category=tallies.get((member_id, team_id, ym), {}),
                ))
        return rows
