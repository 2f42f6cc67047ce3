"""The rows behind a spreadsheet export: each session, and tallies per place, member and month.

Tallies come from the roll-up tables (:mod:`storage.repos.rollup_sql`); only the sessions sheet
reads raw rows, those of the period, through the date indexes.

Like :mod:`storage.repos.activity`, a session counts where the member was when they logged it,
undone sessions never count, and periods are inclusive local dates. Tallies come back per
category id so the workbook can show one column per category, zeros included.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, TypeVar

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.natural_sort import natural_key
from bot.core.permissions import Scope
from storage.repos._sql import fetch_all
from storage.repos.rollup_sql import days, rollup_in
from storage.repos.scope_sql import sessions_in, teams_in

#: Rows fetched per call on the shared reader connection (see :meth:`ExportRepo.day_sessions`).
FETCH_ROWS = 2_000


class SessionLine(NamedTuple):
    """One session of the sessions sheet. A tuple, not a pydantic model: a month of a large
    province is half a million of them, streamed a day at a time (see :class:`SessionNames`)."""

    session_date: date
    commune_name: str
    team_name: str
    member_name: str
    category_id: int
    citizens: int
    note: str | None


def day_sessions_query(scope: Scope, day: date) -> tuple[str, list[Any]]:
    """The raw rows of a place on one day, through the index on the commune (or team, or
    member) and the date: an export reads its period one day at a time, so it never sorts
    more than a day and streams from the first day on."""
    where, params = sessions_in(scope)
    if scope.team is None and scope.commune is None:
        # A whole province's day: one range of the date index beats a seek per commune
        # (the unary + keeps SQLite from using the commune index for the IN list).
        where = "+" + where
    return (
        "SELECT s.id, s.member_id, s.team_id, s.commune_code, s.category_id, s.citizens,"
        f" s.note FROM sessions s WHERE {where} AND s.deleted_at IS NULL"
        " AND s.session_date = ?",
        [*params, day.isoformat()],
    )


_K = TypeVar("_K", bound=Hashable)
#: (rank in name order from 1, name); rank 0 and no name for someone unknown.
Ranked = tuple[int, str]
_NOBODY: Ranked = (0, "")


@dataclass(frozen=True)
class SessionNames:
    """Names and name-order ranks of members, teams and communes: a day's raw rows are named
    and put in sheet order from these, with no join per row (see :meth:`lines`)."""

    members: dict[int, Ranked]
    teams: dict[int, Ranked]
    communes: dict[str, Ranked]

    def lines(self, day: date, rows: Iterable[Iterable[Any]]) -> list[SessionLine]:
        """Raw rows of ``day`` (the columns of :func:`day_sessions_query`) as sheet lines, in
        order: commune, team (natural order), member (by name), then as logged."""
        members, teams, communes = self.members, self.teams, self.communes
        keyed = []
        for sid, member_id, team_id, code, category_id, citizens, note in rows:
            c_rank, c_name = communes.get(code, _NOBODY)
            t_rank, t_name = teams.get(team_id, _NOBODY)
            m_rank, m_name = members.get(member_id, _NOBODY)
            keyed.append(((c_rank, t_rank, m_rank, sid),
                          SessionLine(day, c_name, t_name, m_name, category_id, citizens, note)))
        keyed.sort(key=_first)
        return [line for _, line in keyed]


def _first(pair: tuple[tuple[int, ...], SessionLine]) -> tuple[int, ...]:
    return pair[0]


def _ranked(rows: list[tuple[_K, str, Any]]) -> dict[_K, Ranked]:
    """(key, name, sort key) rows → key → (rank by sort key then key, name)."""
    ordered = sorted(rows, key=lambda r: (r[2], r[0]))
    return {r[0]: (rank, r[1]) for rank, r in enumerate(ordered, start=1)}


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


class ExportRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def session_names(self) -> SessionNames:
        """Everyone a session can name (people who have moved or left included), read once
        per export: a few ten thousand rows even for the largest province."""
        members = await fetch_all(self.conn, "SELECT id, full_name, name_key FROM members")
        teams = await fetch_all(self.conn, "SELECT id, name FROM teams")
        communes = await fetch_all(self.conn, "SELECT code, name FROM communes")
        return SessionNames(
            members=_ranked([(r[0], r[1], r[2]) for r in members]),
            teams=_ranked([(r[0], r[1], natural_key(r[1])) for r in teams]),
            communes=_ranked([(r[0], r[1], natural_key(r[1])) for r in communes]),
        )

    async def day_sessions(self, scope: Scope, day: date) -> list[aiosqlite.Row]:
        """The raw rows of one day (:func:`day_sessions_query`), for :meth:`SessionNames.lines`.

        Fetched a few thousand at a time: the reader connection is shared, and a province's
        day (~20,000 rows) in one call would hold every other chat's read back behind it."""
        rows: list[aiosqlite.Row] = []
        async with self.conn.execute(*day_sessions_query(scope, day)) as cursor:
            while chunk := await cursor.fetchmany(FETCH_ROWS):
                rows += chunk
        return rows

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
        tallies = await self._tallies("member_day", "team_id", scope, start, end)
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
        rwhere, rparams = rollup_in(scope)
        period, dates = days(start, end)
        logged = await fetch_all(  # grouped without names: a province's month is ~200,000
            self.conn,
            "SELECT r.member_id, NULLIF(r.team_id, 0), NULLIF(r.commune_code, ''),"
            " substr(r.day, 1, 7), r.category_id, SUM(r.sessions), SUM(r.citizens)"
            f" FROM member_day r WHERE {rwhere} AND {period} GROUP BY 1, 2, 3, 4, 5",
            [*rparams, *dates],
        )
        # A person is listed under the team they logged in (or their current one if silent).
        who: dict[tuple[int, int | None], tuple[Any, ...]] = {
            (int(r[0]), r[4]): tuple(r[:8]) for r in people}
        tallies: dict[tuple[int, int | None, str], dict[int, tuple[int, int]]] = {}
        elsewhere: dict[tuple[int, int | None], str | None] = {}
        for r in logged:
            if (int(r[0]), r[1]) not in who:
                elsewhere[(int(r[0]), r[1])] = r[2]
            tallies.setdefault((int(r[0]), r[1], r[3]), {})[int(r[4])] = (int(r[5]), int(r[6]))
        who.update(await self._names(elsewhere))
        order = sorted(who.items(), key=lambda item: (item[1][5], item[1][6], item[1][7],
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
