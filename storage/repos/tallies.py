"""Sums of logged sessions and citizens for a place and a period: the numbers every report is
made of. Reads the roll-up tables (``member_day`` and ``commune_day``, migration 0009;
``province_day``, 0020).

A session counts where the member was when they logged it (``sessions.team_id`` /
``commune_code``). Periods are inclusive local dates. Undone sessions never count. Tallies per
category (``teams_by_category``, ``communes_by_category``, ``member_months``: /export's summary
sheets) come back as ``{category_id: (sessions, citizens)}``, so a sheet can show one column
per category, zeros included.

The fast path: every method reads the roll-up tables (:mod:`storage.repos.rollup_sql`), kept
by triggers in the same transaction as each write, so a figure costs the same in the third
year as in the first week. Other features that need figures should call these methods (or
:mod:`storage.repos.activity`'s, or add one on the same tables), never aggregate ``sessions``
themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.calendar import month
from bot.core.natural_sort import natural_key
from bot.core.permissions import Scope
from storage.repos.rollup_sql import day_rows, days, member_grain, per_team_sql, rollup_in
from storage.repos.scope_sql import member_then, sessions_in, team_then, teams_in
from storage.repos.sql import fetch_all

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


class PlaceRow(BaseModel):
    """A team or a commune with its tallies: ``{category_id: (sessions, citizens)}``."""

    model_config = ConfigDict(frozen=True)

    commune_name: str
    team_name: str | None = None
    members: int = 0
    by_category: dict[int, tuple[int, int]] = {}


@dataclass(frozen=True, slots=True)
class MemberMonthRow:
    """A plain dataclass, not a pydantic model: a province's month is 35,000 of them, built from
    our own columns (validating each took ~20 µs, most of the sheet's time)."""

    month: date  # the first of the month
    member_id: int
    member_name: str
    commune_name: str
    team_name: str
    by_category: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DayTally:
    day: date
    category_id: int
    sessions: int
    citizens: int


@dataclass(frozen=True, slots=True)
class FeedCell:
    """One commune × category over one month."""

    commune_code: str
    category_id: int
    sessions: int
    citizens: int
    teams_reporting: int
    members_active: int


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
        table, where, params = day_rows(scope)
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
        """Every commune of the province that had teams in the period, zeros included."""
        period, dates = days(start, end)
        alive, alive_params = team_then(start, end)
        rows = await fetch_all(
            self.conn,
            "SELECT c.code, c.name, COALESCE(p.s, 0), COALESCE(p.z, 0),"
            " (SELECT MAX(d.day) FROM commune_day d WHERE d.commune_code = c.code)"
            " FROM communes c LEFT JOIN (SELECT r.commune_code, SUM(r.sessions) AS s,"
            " SUM(r.citizens) AS z FROM commune_day r WHERE r.commune_code IN"
            f" (SELECT code FROM communes WHERE province_code = ?) AND {period}"
            " GROUP BY r.commune_code) p ON p.commune_code = c.code"
            " WHERE c.province_code = ? AND EXISTS (SELECT 1 FROM teams t"
            f" WHERE t.commune_code = c.code AND {alive})"
            " ORDER BY natsort(c.name)",
            [province, *dates, province, *alive_params],
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
        table, where, params = day_rows(scope)
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

    async def teams_by_category(self, scope: Scope, start: date, end: date) -> list[PlaceRow]:
        """Every team in scope in the period (zeros included) with its members then and its
        tallies per category."""
        where, params = teams_in(scope)
        then, then_params = member_then(start, end)
        alive, alive_params = team_then(start, end)
        teams = await fetch_all(
            self.conn,
            "SELECT t.id, c.name, t.name, (SELECT COUNT(DISTINCT ms.member_id)"
            f" FROM memberships ms WHERE ms.team_id = t.id AND {then})"
            " FROM teams t JOIN communes c ON c.code = t.commune_code"
            f" WHERE {alive} AND {where} ORDER BY natsort(c.name), natsort(t.name)",
            [*then_params, *alive_params, *params],
        )
        tallies = await self._tallies("member_day", "team_id", scope, start, end)
        return [PlaceRow(commune_name=r[1], team_name=r[2], members=r[3],
                         by_category=tallies.get(str(r[0]), {})) for r in teams]

    async def communes_by_category(self, scope: Scope, start: date, end: date) -> list[PlaceRow]:
        """Every commune in scope that had teams in the period, zeros included."""
        where, params = teams_in(scope)
        then, then_params = member_then(start, end)
        alive, alive_params = team_then(start, end)
        communes = await fetch_all(
            self.conn,
            "SELECT c.code, c.name, COUNT(DISTINCT ms.member_id) FROM communes c"
            f" JOIN teams t ON t.commune_code = c.code AND {alive}"
            f" LEFT JOIN memberships ms ON ms.team_id = t.id AND {then}"
            f" WHERE {where} GROUP BY c.code ORDER BY natsort(c.name)",
            [*alive_params, *then_params, *params],
        )
        tallies = await self._tallies("commune_day", "commune_code", scope, start, end)
        return [PlaceRow(commune_name=r[1], members=r[2], by_category=tallies.get(str(r[0]), {}))
                for r in communes]

    async def _tallies(self, table: str, key: str, scope: Scope, start: date,
                       end: date) -> dict[str, dict[int, tuple[int, int]]]:
        if scope.team is not None:
            table = "member_day"  # a team's own rows, through the team index
        where, params = rollup_in(scope)
        period, dates = days(start, end)
        rows = await fetch_all(
            self.conn,
            f"SELECT r.{key}, r.category_id, SUM(r.sessions), SUM(r.citizens) FROM {table} r"
            f" WHERE {where} AND {period} GROUP BY r.{key}, r.category_id",
            [*params, *dates],
        )
        out: dict[str, dict[int, tuple[int, int]]] = {}
        for r in rows:
            out.setdefault(str(r[0]), {})[int(r[1])] = (int(r[2]), int(r[3]))
        return out

    async def member_months(self, scope: Scope, start: date, end: date,
                            months: list[date]) -> list[MemberMonthRow]:
        """One row per member × team × month they were in the team (the registry as it was;
        zeros too, since the allowance record lists everyone), plus anyone who logged sessions
        in one of the scope's teams with no period recorded there."""
        where, params = teams_in(scope)
        then, then_params = member_then(start, end)
        people = await fetch_all(
            self.conn,
            "SELECT m.id, m.full_name, c.name, t.name, t.id, c.name_key, t.name_key, m.name_key,"
            " MIN(ms.since_day), MAX(COALESCE(ms.until_day, '9999-12-31'))"
            " FROM memberships ms JOIN members m ON m.id = ms.member_id"
            " JOIN teams t ON t.id = ms.team_id JOIN communes c ON c.code = t.commune_code"
            f" WHERE {then} AND {where} GROUP BY m.id, t.id",
            [*then_params, *params],
        )
        spans = {(int(r[0]), int(r[4])): (str(r[8]), str(r[9])) for r in people}
        # A person is listed under the team they logged in (or their current one if silent).
        who: dict[tuple[int, int | None], tuple[Any, ...]] = {
            (int(r[0]), r[4]): tuple(r[:8]) for r in people}
        tallies: dict[tuple[int, int | None, date], dict[int, tuple[int, int]]] = {}
        elsewhere: dict[tuple[int, int | None], str | None] = {}
        rwhere, rparams = rollup_in(scope)
        for first in months:
            # A month at a time, so the month is no part of the grouping (that took half of
            # the time of a province's month: 604,747 rows of member_day into 180,123).
            period, dates = days(max(start, first), min(end, month(first.year, first.month).end))
            logged = await fetch_all(
                self.conn,
                "SELECT r.member_id, NULLIF(r.team_id, 0), NULLIF(r.commune_code, ''),"
                " r.category_id, SUM(r.sessions), SUM(r.citizens)"
                f" FROM member_day r WHERE {rwhere} AND {period} GROUP BY 1, 2, 3, 4",
                [*rparams, *dates],
            )
            for member_id, team_id, code, category_id, sessions, citizens in logged:
                if (member_id, team_id) not in who:
                    elsewhere[(member_id, team_id)] = code
                tallies.setdefault((member_id, team_id, first), {})[category_id] = (
                    sessions, citizens)
        who.update(await self._names(elsewhere))
        # Communes and teams in natural order (Ấp 2 before Ấp 10), as every other list.
        order = sorted(who.items(), key=lambda item: (
            natural_key(item[1][2] or ""), natural_key(item[1][3] or ""), item[1][7],
            item[0][0]))
        rows: list[MemberMonthRow] = []
        for first in months:
            last = month(first.year, first.month).end.isoformat()
            for (member_id, team_id), info in order:
                since, until = spans.get((member_id, int(team_id or 0)), ("9999-12-31", ""))
                key = (member_id, team_id, first)
                if key not in tallies and not (since <= last and until >= first.isoformat()):
                    continue  # not in that team that month, and nothing logged there
                rows.append(MemberMonthRow(
                    month=first, member_id=member_id, member_name=info[1],
                    commune_name=info[2], team_name=info[3],
                    by_category=tallies.get((member_id, team_id, first), {}),
                ))
        return rows

    async def _names(self, where: dict[tuple[int, int | None], str | None]
                     ) -> dict[tuple[int, int | None], tuple[Any, ...]]:
        """Names and sort keys of people who logged here and have moved or left since, as
        (member, team logged in) → the same columns as the active members'."""
        if not where:
            return {}
        people = {int(r[0]): (r[1], r[2]) for r in await self._rows_of(
            "SELECT id, full_name, name_key FROM members WHERE id IN", {m for m, _ in where})}
        teams = {int(r[0]): (r[1], r[2]) for r in await self._rows_of(
            "SELECT id, name, name_key FROM teams WHERE id IN",
            {t for _, t in where if t is not None})}
        communes = {str(r[0]): (r[1], r[2]) for r in await self._rows_of(
            "SELECT code, name, name_key FROM communes WHERE code IN",
            {c for c in where.values() if c is not None})}
        out: dict[tuple[int, int | None], tuple[Any, ...]] = {}
        for (member_id, team_id), code in where.items():
            name, name_key = people[member_id]
            team = teams.get(team_id, ("", "")) if team_id is not None else ("", "")
            commune = communes.get(code, ("", "")) if code is not None else ("", "")
            out[(member_id, team_id)] = (member_id, name, commune[0], team[0], team_id,
                                         commune[1], team[1], name_key)
        return out

    async def _rows_of(self, select: str, keys: set[Any]) -> list[aiosqlite.Row]:
        found: list[aiosqlite.Row] = []
        ordered = sorted(keys)
        for chunk in (ordered[i:i + 500] for i in range(0, len(ordered), 500)):
            found += await fetch_all(self.conn, f"{select} ({','.join('?' * len(chunk))})",
                                     chunk)
        return found

    async def by_day_category(self, scope: Scope, start: date, end: date) -> list[DayTally]:
        """Sessions and citizens per day and category in the place (days with nothing: absent):
        the web dashboard's trend charts."""
        table, where, params = day_rows(scope)
        period, dates = days(start, end)
        rows = await fetch_all(
            self.conn,
            f"SELECT r.day, r.category_id, SUM(r.sessions), SUM(r.citizens) FROM {table} r"
            f" WHERE {where} AND {period} GROUP BY r.day, r.category_id",
            [*params, *dates])
        return [DayTally(date.fromisoformat(r[0]), int(r[1]), int(r[2]), int(r[3]))
                for r in rows]

    async def feed_cells(self, province: str, start: date, end: date) -> list[FeedCell]:
        """Every commune × category of the province with something logged in [start, end]: the
        feed for the level above (teams and members counted per category)."""
        rows = await fetch_all(
            self.conn,
            "SELECT r.commune_code, r.category_id, SUM(r.sessions), SUM(r.citizens),"
            " COUNT(DISTINCT NULLIF(r.team_id, 0)), COUNT(DISTINCT r.member_id)"
            " FROM member_day r WHERE r.commune_code IN"
            " (SELECT code FROM communes WHERE province_code = ?) AND r.day BETWEEN ? AND ?"
            " GROUP BY r.commune_code, r.category_id",
            [province, start.isoformat(), end.isoformat()])
        return [FeedCell(str(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]))
                for r in rows]
