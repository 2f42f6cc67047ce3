"""Aggregates of logged sessions for a place and a period: the numbers every report is made of.

A session counts where the member was when they logged it (``sessions.team_id`` /
``commune_code``). Periods are inclusive local dates. Undone sessions never count.

The fast path: every method reads the roll-up tables (:mod:`storage.repos.rollup_sql`), kept
by triggers in the same transaction as each write, so a figure costs the same in the third
year as in the first week. Other features that need figures should call these methods (or add
one here on the same tables), never aggregate ``sessions`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.permissions import Scope
from storage.repos._sql import fetch_all, fetch_one
from storage.repos.rollup_sql import communes_in, days, member_grain, rollup_in
from storage.repos.scope_sql import teams_in


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


class ActiveCounts(BaseModel):
    """How many of a scope's members and teams logged anything in a period (for /stats)."""

    model_config = ConfigDict(frozen=True)

    members: int = 0
    active_members: int = 0
    teams: int = 0
    active_teams: int = 0


def summed(tallies: dict[int, Tally]) -> Tally:
    """All categories together."""
    return Tally(sessions=sum(t.sessions for t in tallies.values()),
                 citizens=sum(t.citizens for t in tallies.values()))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class ActivityRepo:
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

    def _per_team(self, scope: Scope, start: date, end: date) -> tuple[str, list[object]]:
        """``SELECT team_id, sessions, citizens`` of the period, one row per team in scope."""
        if scope.team is not None:  # a team's own days: the team index, whatever the period
            period, dates = days(start, end)
            return (f"SELECT r.team_id, SUM(r.sessions) AS s, SUM(r.citizens) AS z"
                    f" FROM member_day r WHERE r.team_id = ? AND {period} GROUP BY r.team_id",
                    [scope.team, *dates])
        grain = member_grain(start, end)
        where, params = communes_in(scope)
        return (f"SELECT r.team_id, SUM(r.sessions) AS s, SUM(r.citizens) AS z"
                f" FROM {grain.table} r WHERE {where} AND {grain.where} GROUP BY r.team_id",
                [*params, *grain.params])

    async def by_team(self, scope: Scope, start: date, end: date) -> list[PlaceTally]:
        """Every active team in scope, those with nothing logged included (zeros)."""
        where, params = teams_in(scope)
        per_team, per_params = self._per_team(scope, start, end)
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

    async def active_counts(self, scope: Scope, start: date, end: date) -> ActiveCounts:
        """The counts of :meth:`by_member` and :meth:`by_team` without listing anyone."""
        return (await self.active_counts_many(scope, [(start, end)]))[0]

    async def active_counts_many(self, scope: Scope, periods: Sequence[tuple[date, date]]
                                 ) -> list[ActiveCounts]:
        """:meth:`active_counts` of several periods, reading the scope's members and teams
        once: what /stats shows (this week, this month) for a province of 35,000 members."""
        where, params = teams_in(scope)
        member_marks: list[str] = []
        member_params: list[Any] = []
        team_marks: list[str] = []
        team_params: list[Any] = []
        for start, end in periods:
            grain = member_grain(start, end)
            if grain.table != "member_day" and scope.commune is None:
                # A province's week or month: everyone active then is one range of the key,
                # read once — cheaper than a seek for each of 35,000 members.
                member_marks.append(f"m.id IN (SELECT r.member_id FROM {grain.table} r"
                                    f" WHERE {grain.where})")
                team_marks.append(f"t.id IN (SELECT r.team_id FROM {grain.table} r"
                                  f" WHERE {grain.where})")
                team_params += grain.params
            else:  # a commune or a team (or any run of days): one seek per member
                member_marks.append(f"EXISTS (SELECT 1 FROM {grain.table} r"
                                    f" WHERE r.member_id = m.id AND {grain.where})")
                per_team, per_params = self._per_team(scope, start, end)
                team_marks.append(f"t.id IN (SELECT team_id FROM ({per_team}))")
                team_params += per_params
            member_params += grain.params
        members = await fetch_one(
            self.conn,
            "SELECT COUNT(*), " + ", ".join(f"COALESCE(SUM({m}), 0)" for m in member_marks)
            + " FROM members m JOIN teams t ON t.id = m.team_id"
            f" JOIN communes c ON c.code = t.commune_code WHERE m.active AND {where}",
            [*member_params, *params],
        )
        teams = await fetch_one(
            self.conn,
            "SELECT COUNT(*), " + ", ".join(f"COALESCE(SUM({m}), 0)" for m in team_marks)
            + f" FROM teams t JOIN communes c ON c.code = t.commune_code"
            f" WHERE t.active AND {where}",
            [*team_params, *params],
        )
        assert members is not None
        assert teams is not None
        return [ActiveCounts(members=members[0], active_members=members[1 + i],
                             teams=teams[0], active_teams=teams[1 + i])
                for i in range(len(periods))]

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

    async def members_with_sessions(self, member_ids: Iterable[int], start: date,
                                    end: date) -> set[int]:
        """Which of these members logged anything in the period (for reminders)."""
        ids = list(member_ids)
        if not ids:
            return set()
        grain = member_grain(start, end)
        found: set[int] = set()
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            marks = ",".join("?" * len(chunk))
            rows = await fetch_all(
                self.conn,
                f"SELECT DISTINCT r.member_id FROM {grain.table} r"
                f" WHERE r.member_id IN ({marks}) AND {grain.where}",
                [*chunk, *grain.params],
            )
            found |= {int(r[0]) for r in rows}
        return found
