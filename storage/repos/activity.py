"""Who logged anything, where and when, for a place and a period — over the roll-up table
``member_day`` (migration 0009): active members and teams, teams' activity for completeness,
and members' days on duty for the allowance.

Same conventions as :mod:`storage.repos.tallies`: a session counts where the member was when
they logged it, periods are inclusive local dates, undone sessions never count; lists come in
natural order (Ấp 2 before Ấp 10).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.completeness import TeamActivity
from bot.core.natural_sort import natural_key
from bot.core.permissions import Scope
from storage.repos.rollup_sql import (
    MemberGrain,
    days,
    member_grain,
    per_team_sql,
    rollup_in,
    team_totals_sql,
)
from storage.repos.scope_sql import member_then, sessions_in, team_then, teams_in
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
    #: Whether a monthly per-member amount is paid on this row (once a month per member).
    monthly: bool = True



class ActivityRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def active_counts(self, scope: Scope, start: date, end: date) -> ActiveCounts:
        """The counts of :meth:`by_member` and :meth:`by_team` without listing anyone."""
        return (await self.active_counts_many(scope, [(start, end)]))[0]

    async def active_counts_many(self, scope: Scope, periods: Sequence[tuple[date, date]]
                                 ) -> list[ActiveCounts]:
        """:meth:`active_counts` of several periods, reading the scope's members and teams
        once: what /stats shows (this week, this month) for a province of 35,000 members.
        Members and teams are those of each period (the registry as it was then)."""
        where, params = teams_in(scope)
        member_cols: list[str] = []
        member_params: list[Any] = []
        team_cols: list[str] = []
        team_params: list[Any] = []
        for start, end in periods:
            grain = member_grain(start, end)
            then, then_params = member_then(start, end)
            member_cols += [f"({then})", f"({then} AND {_logged(scope, grain)})"]
            member_params += [*then_params, *then_params, *grain.params]
            alive, alive_params = team_then(start, end)
            if _one_range(scope, grain):
                mark = f"t.id IN (SELECT r.team_id FROM {grain.table} r WHERE {grain.where})"
                mark_params = list(grain.params)
            else:
                per_team, mark_params = per_team_sql(scope, start, end)
                mark = f"t.id IN (SELECT team_id FROM ({per_team}))"
            team_cols += [f"COALESCE(SUM({alive}), 0)", f"COALESCE(SUM({alive} AND {mark}), 0)"]
            team_params += [*alive_params, *alive_params, *mark_params]
        first = min(s for s, _ in periods)
        last = max(e for _, e in periods)
        any_then, any_params = member_then(first, last)
        # A member with one period (nearly everyone) is one row; someone with several (moved,
        # left and came back) is taken per member so they count once: the GROUP BY runs over
        # those few only (over 35,000 members it tripled the time of /stats).
        flags = ", ".join(f"{col} AS f{i}" for i, col in enumerate(member_cols))
        grouped = ", ".join(f"MAX({col})" for col in member_cols)
        several = "SELECT member_id FROM memberships GROUP BY member_id HAVING COUNT(*) > 1"
        base = (" FROM memberships ms JOIN teams t ON t.id = ms.team_id"
                f" JOIN communes c ON c.code = t.commune_code WHERE {any_then} AND {where}")
        members = await fetch_one(
            self.conn,
            "SELECT " + ", ".join(f"COALESCE(SUM(f{i}), 0)" for i in range(len(member_cols)))
            + f" FROM (SELECT {flags}{base} AND ms.member_id NOT IN ({several})"
            f" UNION ALL SELECT {grouped}{base} AND ms.member_id IN ({several})"
            " GROUP BY ms.member_id)",
            [*member_params, *any_params, *params, *member_params, *any_params, *params],
        )
        teams = await fetch_one(
            self.conn,
            "SELECT " + ", ".join(team_cols)
            + f" FROM teams t JOIN communes c ON c.code = t.commune_code WHERE {where}",
            [*team_params, *params],
        )
        assert members is not None
        assert teams is not None
        return [ActiveCounts(members=members[2 * i], active_members=members[2 * i + 1],
                             teams=teams[2 * i], active_teams=teams[2 * i + 1])
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

    async def team_activity(self, scope: Scope, start: date, end: date,
                            on_time_days: int | None = 3, *,
                            latest: Mapping[int, date] | None = None) -> list[TeamActivity]:
        """Every team in scope that existed in the period (zeros included): its members then,
        how many of them logged something there, what was logged there, and its latest
        session up to ``end`` (``latest``: already read, see :meth:`latest_per_team`).

        Grouped reads rather than subqueries per team: a province has 5,000 teams and 35,000
        members, and a seek per member and per team for each figure cost ~300 ms."""
        teams = await self._teams_then(scope, start, end)
        if latest is None:
            latest = await self.latest_per_team(scope, end)
        logged = await self._logged_per_team(scope, start, end)
        # None: the caller shows no on-time figure (/stats), so on_time stays 0 unread.
        punctual = ({} if on_time_days is None else
                    await self._on_time_per_team(scope, start, end, on_time_days))
        # Each row's values are taken once, positionally: building the 5,000 teams of a
        # province was ~40 % of the CPU of its completeness.
        build = TeamActivity
        none = (0, 0, 0)
        get_logged, get_latest, get_punctual = logged.get, latest.get, punctual.get
        out: list[TeamActivity] = []
        append = out.append
        for team_id, team_name, commune_code, commune_name, members in teams:
            active, sessions, citizens = get_logged(team_id, none)
            append(build(team_id, team_name, commune_code, commune_name, members, active,
                         sessions, citizens, get_latest(team_id), get_punctual(team_id, 0)))
        return out

    async def latest_per_team(self, scope: Scope, until: date) -> dict[int, date]:
        """Each team's latest session up to ``until`` (teams that never logged are absent).

        /stats shows two periods that both end today or later: it reads this once for both."""
        where, params = teams_in(scope)
        rows = await fetch_all(
            self.conn,
            "SELECT t.id, (SELECT MAX(d.day) FROM team_day d WHERE d.team_id = t.id"
            " AND d.day <= ?) AS last FROM teams t JOIN communes c ON c.code = t.commune_code"
            f" WHERE {where} AND last IS NOT NULL", [until.isoformat(), *params])
        days: dict[str, date] = {}  # a few hundred distinct days for 5,000 teams
        out: dict[int, date] = {}
        for team_id, last in rows:
            day = days.get(last)
            if day is None:
                day = days[last] = date.fromisoformat(last)
            out[team_id] = day
        return out

    async def _logged_per_team(self, scope: Scope, start: date, end: date
                               ) -> dict[int, tuple[int, int, int]]:
        """Each team's (members who logged something there, sessions, citizens) over the
        period. A session counts in the team its member was in on its date, so those members
        were the team's then.

        A whole ISO week or calendar month of a commune or province is one range of its
        roll-up, where a member has one row per team: the three figures in one read (~13 ms a
        period in the largest province, against ~32 ms for the sums and a seek per member)."""
        grain = member_grain(start, end)
        if scope.team is None and grain.table != "member_day":
            where, params = rollup_in(scope)
            # One row per member and team in a week or a month; across months, DISTINCT.
            members = "COUNT(*)" if len(grain.params) == 1 else "COUNT(DISTINCT r.member_id)"
            rows = await fetch_all(
                self.conn,
                f"SELECT r.team_id, {members}, SUM(r.sessions), SUM(r.citizens)"
                f" FROM {grain.table} r WHERE {where} AND {grain.where} GROUP BY r.team_id",
                [*params, *grain.params])
            return {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}
        per_team, per_params = team_totals_sql(scope, start, end)
        sums = {int(r[0]): (int(r[1]), int(r[2]))
                for r in await fetch_all(self.conn, per_team, per_params)}
        where, params = rollup_in(scope)
        period, dates = days(start, end)
        active = {int(r[0]): int(r[1]) for r in await fetch_all(
            self.conn,
            "SELECT team_id, COUNT(*) FROM (SELECT DISTINCT r.team_id, r.member_id"
            f" FROM member_day r WHERE {where} AND {period}) GROUP BY team_id",
            [*params, *dates])}
        return {team: (active.get(team, 0), sessions, citizens)
                for team, (sessions, citizens) in sums.items()}

    async def _teams_then(self, scope: Scope, start: date, end: date) -> _TeamRows:
        """The scope's teams of the period (the registry as it was) with their members then,
        in natural order — from this connection's cache while the registry has not changed.

        Reading them cost ~26 ms a period in the largest province (a seek per team into
        memberships and team_spans, a sort key per name), twice for /stats; they change only
        with the registry, which ``registry_version`` (migrations/0019) counts."""
        row = await fetch_one(self.conn, "SELECT n FROM registry_version WHERE id = 1")
        version = int(row[0]) if row else -1
        key = (scope, start, end)
        # Not inside a transaction: what it reads may yet be rolled back, and the counter with
        # it, to a number a different change would then reach.
        cache = (None if self.conn.in_transaction
                 else _REGISTRY_CACHE.setdefault(self.conn, OrderedDict()))
        if cache is not None:
            hit = cache.get(key)
            if hit is not None and hit[0] == version:
                cache.move_to_end(key)
                return hit[1]
        where, params = teams_in(scope)
        then, then_params = member_then(start, end)
        alive, alive_params = team_then(start, end)
        rows = await fetch_all(
            self.conn,
            "SELECT t.id, t.name, t.commune_code, c.name,"
            " (SELECT COUNT(DISTINCT ms.member_id) FROM memberships ms"
            f"   WHERE ms.team_id = t.id AND {then})"
            " FROM teams t JOIN communes c ON c.code = t.commune_code"
            f" WHERE {alive} AND {where} ORDER BY natsort(c.name), natsort(t.name)",
            [*then_params, *alive_params, *params],
        )
        teams: _TeamRows = tuple(
            (int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows)
        if cache is not None:
            cache[key] = (version, teams)
            if len(cache) > _CACHED_PERIODS:  # the least recently asked goes
                cache.popitem(last=False)
        return teams

    async def _on_time_per_team(self, scope: Scope, start: date, end: date,
                                days: int) -> dict[int, int]:
        """Sessions of each team in the period logged within ``days`` of their date (the
        roll-up ``team_lag``, migration 0014)."""
        where, params = rollup_in(scope)
        rows = await fetch_all(
            self.conn,
            f"SELECT r.team_id, SUM(r.sessions) FROM team_lag r WHERE {where}"
            " AND r.day BETWEEN ? AND ? AND r.lag <= ? GROUP BY r.team_id",
            [*params, start.isoformat(), end.isoformat(), days])
        return {int(r[0]): int(r[1]) for r in rows}

    async def duty_month(self, scope: Scope, start: date, end: date) -> list[DutyRow]:
        """One row per member and team they were in during the month (the registry as it was,
        zeros too), plus anyone who logged in one of the scope's teams with no period recorded
        there. Days on duty are counted per team: the distinct days they logged there, so a
        member who moved mid-month appears under each team for their days there. A monthly
        per-member amount is paid once (``monthly``): on the row of the team they were in last
        in the month, wherever the sheet is cut."""
        where, params = teams_in(scope)
        then, then_params = member_then(start, end)
        alive, alive_params = team_then(start, end)
        people = await fetch_all(
            self.conn,
            "SELECT ms.member_id, m.full_name, t.id, t.name, c.name FROM memberships ms"
            " JOIN members m ON m.id = ms.member_id JOIN teams t ON t.id = ms.team_id"
            f" JOIN communes c ON c.code = t.commune_code WHERE {then} AND {alive} AND {where}"
            " GROUP BY ms.member_id, t.id", [*then_params, *alive_params, *params])
        rows: dict[tuple[int, int], dict[str, Any]] = {
            (int(r[0]), int(r[2])): {"member_id": r[0], "member_name": r[1], "team_id": r[2],
                                     "team_name": r[3], "commune_name": r[4]} for r in people}
        # From the roll-up member_day: distinct days are its days, directly.
        swhere, sparams = sessions_in(scope, alias="d")
        logged = await fetch_all(
            self.conn,
            "SELECT d.member_id, d.team_id, COUNT(DISTINCT d.day), SUM(d.sessions),"
            f" SUM(d.citizens), MAX(d.day) FROM member_day d WHERE {swhere}"
            " AND d.day BETWEEN ? AND ? AND d.team_id <> 0 GROUP BY d.member_id, d.team_id",
            [*sparams, start.isoformat(), end.isoformat()])
        unknown = [(int(r[0]), int(r[1])) for r in logged if (int(r[0]), int(r[1])) not in rows]
        names = await self._names([m for m, _ in unknown], [t for _, t in unknown])
        last_logged: dict[int, tuple[str, int]] = {}
        for member_id, team_id, on_duty, sessions, citizens, last in logged:
            pair = (int(member_id), int(team_id))
            if pair not in rows:
                if int(team_id) not in names[1]:
                    continue
                team_name, commune_name = names[1][int(team_id)]
                rows[pair] = {"member_id": member_id, "team_id": team_id, "team_name": team_name,
                             "commune_name": commune_name,
                             "member_name": names[0].get(int(member_id), "")}
            rows[pair].update(days=on_duty, sessions=sessions, citizens=citizens)
            last_logged[pair[0]] = max(last_logged.get(pair[0], ("", 0)), (str(last), pair[1]))
        paid_in = await self._last_team_in(sorted({m for m, _ in rows}), start, end)
        for member_id, team_id in rows:
            team = paid_in.get(member_id) or last_logged.get(member_id, ("", team_id))[1]
            rows[(member_id, team_id)]["monthly"] = team == team_id
        found = [DutyRow(**row) for row in rows.values()]
        # Each commune's and team's key made once, not once per member (35,000 in a province).
        keys: dict[str, Any] = {}

        def key(name: str) -> Any:
            made = keys.get(name)
            if made is None:
                made = keys[name] = natural_key(name)
            return made

        return sorted(found, key=lambda r: (key(r.commune_name), key(r.team_name),
                                            natural_key(r.member_name), r.member_id))

    async def _last_team_in(self, member_ids: list[int], start: date, end: date
                            ) -> dict[int, int]:
        """Each member's team at the end of their last period in [start, end], if any."""
        then, then_params = member_then(start, end)
        out: dict[int, int] = {}
        for chunk in _chunks(member_ids):
            rows = await fetch_all(
                self.conn,
                "SELECT ms.member_id, ms.team_id FROM memberships ms"
                f" WHERE ms.member_id IN ({_marks(chunk)}) AND {then}"
                " ORDER BY ms.member_id, ms.since_day, ms.id", [*chunk, *then_params])
            out.update({int(r[0]): int(r[1]) for r in rows})  # the latest wins
        return out

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


#: A team of a period: id, name, commune code, commune name, members then.
_TeamRows = tuple[tuple[int, str, str, str, int], ...]
#: Per connection (a database file): (scope, start, end) → (registry version, teams).
_REGISTRY_CACHE: WeakKeyDictionary[
    aiosqlite.Connection, OrderedDict[tuple[Scope, date, date], tuple[int, _TeamRows]]] = (
    WeakKeyDictionary())
#: Places × periods kept: the Monday digests ask for every commune's week (168 in the largest
#: province) and then the province's, which a smaller cache had just let go. A commune's
#: entry is a few dozen teams; the province's 5,000 rows (~1 MB) are a handful of entries.
_CACHED_PERIODS = 512


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _marks(chunk: list[int]) -> str:
    return ",".join("?" * len(chunk))


def _one_range(scope: Scope, grain: MemberGrain) -> bool:
    """A province's week or month: everyone active then is one range of the roll-up's key,
    read once — cheaper than a seek for each of 35,000 members."""
    return grain.table != "member_day" and scope.commune is None


def _logged(scope: Scope, grain: MemberGrain) -> str:
    """Member ``ms.member_id`` logged anything (anywhere) in the grain's period; takes
    ``grain.params``."""
    if _one_range(scope, grain):
        return (f"ms.member_id IN (SELECT r.member_id FROM {grain.table} r"
                f" WHERE {grain.where})")
    # a commune or a team, or any run of days: one seek per member
    return (f"EXISTS (SELECT 1 FROM {grain.table} r WHERE r.member_id = ms.member_id"
            f" AND {grain.where})")
