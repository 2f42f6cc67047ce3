"""Sums of logged sessions and citizens for a place and a period: the numbers every report is
made of. Reads the roll-up tables ``member_day`` and ``commune_day`` (migration 0009).

A session counts where the member was when they logged it (``sessions.team_id`` /
``commune_code``). Periods are inclusive local dates. Undone sessions never count.

The fast path: every method reads the roll-up tables (:mod:`storage.repos.rollup_sql`), kept
by triggers in the same transaction as each write, so a figure costs the same in the third
year as in the first week. Other features that need figures should call these methods (or
:mod:`storage.repos.activity`'s, or add one on the same tables), never aggregate ``sessions``
themselves.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.permissions import Scope
from storage.repos._sql import fetch_all
from storage.repos.rollup_sql import days, member_grain, per_team_sql, rollup_in
from storage.repos.scope_sql import sessions_in, teams_in

PlaceLevel = Literal["team", "commune", "scope"]


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


def summed(tallies: dict[int, Tally]) -> Tally:
    """All categories together."""
    return Tally(sessions=sum(t.sessions for t in tallies.values()),
                 citizens=sum(t.citizens for t in tallies.values()))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None



class TallyRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def by_category(self, scope: Scope, start: date, end: date) -> dict[int, Tally]:
        table = "member_day" if scope.team is not None else "commune_day"
        where, params = rollup_in(scope)
        period, dates = days(start, end)
        rows = await fetch_all(
            self.conn,
            f"SELECT r.category_id, SUM(r.sessions), SUM(r.citizens) FROM {table} r"
            f" WHERE {where} AND {period} GROUP BY r.category_id",
            [*params, *dates],
        )
        return {int(r[0]): Tally(sessions=r[1], citizens=r[2]) for r in rows}

    async def total(self, scope: Scope, start: date, end: date) -> Tally:
        return summed(await self.by_category(scope, start, end))


    async def by_team(self, scope: Scope, start: date, end: date) -> list[PlaceTally]:
        """Every active team in scope, those with nothing logged included (zeros)."""
        where, params = teams_in(scope)
        per_team, per_params = per_team_sql(scope, start, end)
        rows = await fetch_all(
            self.conn,
            "SELECT t.id, t.name, t.commune_code, c.name, COALESCE(p.s, 0), COALESCE(p.z, 0),"
            " (SELECT MAX(d.day) FROM member_day d WHERE d.team_id = t.id)"
            f" FROM teams t JOIN communes c ON c.code = t.commune_code"
            f" LEFT JOIN ({per_team}) p ON p.team_id = t.id"
            f" WHERE t.active AND {where} ORDER BY natsort(c.name), natsort(t.name)",
            [*per_params, *params],
        )
        return [
            PlaceTally(key=str(r[0]), name=r[1], team_name=r[1], commune_code=r[2],
                       commune_name=r[3], sessions=r[4], citizens=r[5], last_date=_day(r[6]))
            for r in rows
        ]

    async def by_commune(self, province: str, start: date, end: date) -> list[PlaceTally]:
        """Every commune of the province that has teams, zeros included."""
        period, dates = days(start, end)
        rows = await fetch_all(
            self.conn,
            "SELECT c.code, c.name, COALESCE(p.s, 0), COALESCE(p.z, 0),"
            " (SELECT MAX(d.day) FROM commune_day d WHERE d.commune_code = c.code)"
            " FROM communes c LEFT JOIN (SELECT r.commune_code, SUM(r.sessions) AS s,"
            " SUM(r.citizens) AS z FROM commune_day r WHERE r.commune_code IN"
            f" (SELECT code FROM communes WHERE province_code = ?) AND {period}"
            " GROUP BY r.commune_code) p ON p.commune_code = c.code"
            " WHERE c.province_code = ? AND EXISTS (SELECT 1 FROM teams t"
            " WHERE t.commune_code = c.code AND t.active)"
            " ORDER BY natsort(c.name)",
            [province, *dates, province],
        )
        return [
            PlaceTally(key=r[0], name=r[1], commune_code=r[0], commune_name=r[1], sessions=r[2],
                       citizens=r[3], last_date=_day(r[4]))
            for r in rows
        ]

    async def by_member(self, scope: Scope, start: date, end: date) -> list[PlaceTally]:
        """Every active member of the teams in scope (zeros included), with what they logged
        in the period wherever they logged it."""
        where, params = teams_in(scope)
        grain = member_grain(start, end)
        rows = await fetch_all(
            self.conn,
            "SELECT m.id, m.full_name, t.commune_code, c.name, t.name,"
            " COALESCE(SUM(r.sessions), 0), COALESCE(SUM(r.citizens), 0),"
            " (SELECT MAX(d.day) FROM member_day d WHERE d.member_id = m.id)"
            " FROM members m JOIN teams t ON t.id = m.team_id"
            " JOIN communes c ON c.code = t.commune_code"
            f" LEFT JOIN {grain.table} r ON r.member_id = m.id AND {grain.where}"
            f" WHERE m.active AND {where} GROUP BY m.id"
            " ORDER BY natsort(c.name), natsort(t.name), m.name_key",
            [*grain.params, *params],
        )
        return [
            PlaceTally(key=str(r[0]), name=r[1], commune_code=r[2], commune_name=r[3],
                       team_name=r[4], sessions=r[5], citizens=r[6], last_date=_day(r[7]))
            for r in rows
        ]

    async def member_by_category(self, member_id: int, start: date, end: date
                                 ) -> dict[int, Tally]:
        period, dates = days(start, end)
        rows = await fetch_all(
            self.conn,
            "SELECT r.category_id, SUM(r.sessions), SUM(r.citizens) FROM member_day r"
            f" WHERE r.member_id = ? AND {period} GROUP BY r.category_id",
            [member_id, *dates],
        )
        return {int(r[0]): Tally(sessions=r[1], citizens=r[2]) for r in rows}

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

    async def citizens_by_place(self, scope: Scope, level: PlaceLevel, start: date,
                                end: date) -> dict[tuple[str, int], int]:
        """Citizens helped per (place, category id): place is a team id or commune code as
        text, or "" for the whole scope."""
        key = {"team": "d.team_id", "commune": "d.commune_code", "scope": "''"}[level]
        where, params = sessions_in(scope, alias="d")
        rows = await fetch_all(
            self.conn,
            f"SELECT {key}, d.category_id, SUM(d.citizens) FROM member_day d WHERE {where}"
            " AND d.day BETWEEN ? AND ? GROUP BY 1, 2",
            [*params, start.isoformat(), end.isoformat()],
        )
        return {(str(r[0]), int(r[1])): int(r[2]) for r in rows}
