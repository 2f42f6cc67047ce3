"""Who logged anything, where and when, for a place and a period — over the roll-up table
``member_day`` (migration 0009): active members and teams, teams' activity for completeness,
and members' days on duty for the allowance.

Same conventions as :mod:`storage.repos.tallies`: a session counts where the member was when
they logged it, periods are inclusive local dates, undone sessions never count; lists come in
natural order (Ấp 2 before Ấp 10).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.completeness import TeamActivity
from bot.core.natural_sort import natural_key
from bot.core.permissions import Scope
from storage.repos.rollup_sql import MemberGrain, member_grain, per_team_sql
from storage.repos.scope_sql import sessions_in, teams_in
from storage.repos.sql import fetch_all, fetch_one


class ActiveCounts(BaseModel):
    """How many of a scope's members and teams logged anything in a period (for /stats)."""

    model_config = ConfigDict(frozen=True)

    members: int = 0
    active_members: int = 0
    teams: int = 0
    active_teams: int = 0


class DutyRow(BaseModel):
    """A member's month: days on duty (distinct days with a session), sessions, citizens."""

    model_config = ConfigDict(frozen=True)

    member_id: int
    member_name: str
    team_id: int
    team_name: str
    commune_name: str
    days: int = 0
    sessions: int = 0
    citizens: int = 0



class ActivityRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

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
            member_marks.append(_logged(scope, grain))
            if _one_range(scope, grain):
                team_marks.append(f"t.id IN (SELECT r.team_id FROM {grain.table} r"
                                  f" WHERE {grain.where})")
                team_params += grain.params
            else:
                per_team, per_params = per_team_sql(scope, start, end)
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

    async def team_activity(self, scope: Scope, start: date, end: date) -> list[TeamActivity]:
        """Every active team in scope (zeros included): members, how many were active, what
        was logged there, and its latest session up to ``end``.

        Three grouped reads rather than subqueries per team: a province has 5,000 teams and
        35,000 members, and a seek per member and per team for each figure cost ~300 ms."""
        where, params = teams_in(scope)
        teams = await fetch_all(
            self.conn,
            "SELECT t.id, t.name, t.commune_code, c.name,"
            " (SELECT COUNT(*) FROM members m WHERE m.team_id = t.id AND m.active),"
            " (SELECT MAX(d.day) FROM member_day d WHERE d.team_id = t.id AND d.day <= ?)"
            " FROM teams t JOIN communes c ON c.code = t.commune_code"
            f" WHERE t.active AND {where} ORDER BY natsort(c.name), natsort(t.name)",
            [end.isoformat(), *params],
        )
        per_team, per_params = per_team_sql(scope, start, end)
        logged = {int(r[0]): (int(r[1]), int(r[2]))
                  for r in await fetch_all(self.conn, per_team, per_params)}
        active = await self._active_per_team(scope, start, end)
        # model_construct: our own typed columns, 5,000 of them for a province — validating
        # each again cost more than reading them.
        return [TeamActivity.model_construct(
                    team_id=int(r[0]), team_name=str(r[1]), commune_code=str(r[2]),
                    commune_name=str(r[3]), members=int(r[4]),
                    active_members=active.get(int(r[0]), 0),
                    sessions=logged.get(int(r[0]), (0, 0))[0],
                    citizens=logged.get(int(r[0]), (0, 0))[1],
                    last_date=date.fromisoformat(r[5]) if r[5] else None)
                for r in teams]

    async def _active_per_team(self, scope: Scope, start: date, end: date) -> dict[int, int]:
        """Active members of each team in scope who logged anything (anywhere) in the period."""
        where, params = teams_in(scope)
        grain = member_grain(start, end)
        rows = await fetch_all(
            self.conn,
            "SELECT m.team_id, COUNT(*) FROM members m JOIN teams t ON t.id = m.team_id"
            f" JOIN communes c ON c.code = t.commune_code WHERE m.active AND t.active"
            f" AND {where} AND {_logged(scope, grain)} GROUP BY m.team_id",
            [*params, *grain.params],
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def duty_month(self, scope: Scope, start: date, end: date) -> list[DutyRow]:
        """One row per member for the allowance sheet: every active member of the scope's
        teams (zeros too), plus anyone who logged here and has moved or left since. A member
        is listed once, under the team of their latest session in the period (or their own
        team if they logged nothing), with distinct days counted across all their sessions."""
        where, params = teams_in(scope)
        people = await fetch_all(
            self.conn,
            "SELECT m.id, m.full_name, t.id, t.name, c.name FROM members m"
            " JOIN teams t ON t.id = m.team_id JOIN communes c ON c.code = t.commune_code"
            f" WHERE m.active AND t.active AND {where}", params)
        rows: dict[int, dict[str, Any]] = {
            int(r[0]): {"member_id": r[0], "member_name": r[1], "team_id": r[2],
                        "team_name": r[3], "commune_name": r[4]} for r in people}
        # From the roll-up member_day (one row per member and day, so a month of the largest
        # province is read without its sessions): distinct days are its days, directly.
        swhere, sparams = sessions_in(scope, alias="d")
        latest_where, latest_params = sessions_in(scope, alias="d2")
        period = [start.isoformat(), end.isoformat()]
        logged = await fetch_all(
            self.conn,
            "SELECT d.member_id, COUNT(DISTINCT d.day), SUM(d.sessions), SUM(d.citizens),"
            " (SELECT NULLIF(d2.team_id, 0) FROM member_day d2"
            f"   WHERE d2.member_id = d.member_id AND {latest_where}"
            "   AND d2.day BETWEEN ? AND ? ORDER BY d2.day DESC, d2.team_id DESC LIMIT 1)"
            f" FROM member_day d WHERE {swhere}"
            " AND d.day BETWEEN ? AND ? GROUP BY d.member_id",
            [*latest_params, *period, *sparams, *period])
        moved = [int(r[0]) for r in logged if int(r[0]) not in rows or
                 (r[4] is not None and rows[int(r[0])]["team_id"] != r[4])]
        names = await self._names(moved, [int(r[4]) for r in logged if r[4] is not None])
        for member_id, days, sessions, citizens, team_id in logged:
            row = rows.setdefault(int(member_id), {"member_id": member_id,
                                                   "member_name": names[0].get(member_id, "")})
            if team_id is not None and int(team_id) in names[1]:
                row["team_id"] = team_id
                row["team_name"], row["commune_name"] = names[1][int(team_id)]
            row.update(days=days, sessions=sessions, citizens=citizens)
        found = [DutyRow(**row) for row in rows.values() if "team_id" in row]
        # Each commune's and team's key made once, not once per member (35,000 in a province).
        keys: dict[str, Any] = {}

        def key(name: str) -> Any:
            made = keys.get(name)
            if made is None:
                made = keys[name] = natural_key(name)
            return made

        return sorted(found, key=lambda r: (key(r.commune_name), key(r.team_name),
                                            natural_key(r.member_name), r.member_id))

    async def _names(self, member_ids: list[int], team_ids: list[int]
                     ) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
        members: dict[int, str] = {}
        teams: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(sorted(set(member_ids))):
            rows = await fetch_all(
                self.conn, f"SELECT id, full_name FROM members WHERE id IN ({_marks(chunk)})",
                chunk)
            members.update({int(r[0]): r[1] for r in rows})
        for chunk in _chunks(sorted(set(team_ids))):
            rows = await fetch_all(
                self.conn,
                "SELECT t.id, t.name, c.name FROM teams t JOIN communes c"
                f" ON c.code = t.commune_code WHERE t.id IN ({_marks(chunk)})", chunk)
            teams.update({int(r[0]): (r[1], r[2]) for r in rows})
        return members, teams


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _marks(chunk: list[int]) -> str:
    return ",".join("?" * len(chunk))


def _one_range(scope: Scope, grain: MemberGrain) -> bool:
    """A province's week or month: everyone active then is one range of the roll-up's key,
    read once — cheaper than a seek for each of 35,000 members."""
    return grain.table != "member_day" and scope.commune is None


def _logged(scope: Scope, grain: MemberGrain) -> str:
    """Member ``m`` logged anything (anywhere) in the grain's period; takes ``grain.params``."""
    if _one_range(scope, grain):
        return f"m.id IN (SELECT r.member_id FROM {grain.table} r WHERE {grain.where})"
    # a commune or a team, or any run of days: one seek per member
    return f"EXISTS (SELECT 1 FROM {grain.table} r WHERE r.member_id = m.id AND {grain.where})"
