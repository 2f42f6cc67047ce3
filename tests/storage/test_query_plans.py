"""Every figure reads the roll-ups through an index: the plan SQLite picks for each statement.

A figure's cost must not grow with history: no statement behind a figure may read the raw
``sessions`` table, nor scan a whole roll-up table (``SCAN`` of one). Only the export's list of
sessions reads raw rows, and only those of its period, through a date index (``SEARCH``).
The plans are those of a database as the bot keeps it (no ANALYZE statistics).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest

from bot.core.permissions import Scope
from storage.db import Database
from storage.repos import Repos
from storage.repos.sessions import day_sessions_query
from tests.storage.test_rollups import COMMUNES, PROVINCE, _apply, _registry

#: Aliases and names of the tables whose size grows with history.
_BIG = r"(r|d|s|sessions|member_day|member_week|member_month|commune_day|team_day)"
_FULL_SCAN = re.compile(rf"^SCAN {_BIG}\b")
_RAW = re.compile(r"\b(s|sessions)\b")

WEEK = (date(2026, 11, 2), date(2026, 11, 8))
MONTH = (date(2026, 11, 1), date(2026, 11, 30))
DAYS = (date(2026, 10, 29), date(2026, 11, 20))


async def _plans(db: Database, call: Callable[[], Awaitable[Any]]) -> dict[str, list[str]]:
    """Each SELECT the call ran, with the lines of its query plan."""
    statements: list[str] = []
    await db.reader.set_trace_callback(statements.append)
    try:
        await call()
    finally:
        await db.reader.set_trace_callback(None)
    plans = {}
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            rows = await db.reader.execute_fetchall(f"EXPLAIN QUERY PLAN {sql}")
            plans[sql] = [str(r[3]) for r in rows]
    assert plans, "the call ran no query"
    return plans


@pytest.fixture
async def filled(db: Database) -> tuple[Database, list[int], list[int]]:
    teams, members = await _registry(db)
    await _apply(db, [("add", i % 7, 1 + i % 7, 3, i % 60, None) for i in range(40)],
                 teams, members)
    return db, teams, members


def _calls(read: Repos, teams: list[int], members: list[int]
           ) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    calls: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
    scopes = {"province": Scope(PROVINCE), "commune": Scope(PROVINCE, COMMUNES[0]),
              "team": Scope(PROVINCE, COMMUNES[0], teams[0])}
    for period_name, (start, end) in (("week", WEEK), ("month", MONTH), ("days", DAYS)):
        for scope_name, scope in scopes.items():
            def add(what: str, call: Callable[[], Awaitable[Any]],
                    where: str = f"{scope_name} {period_name}") -> None:
                calls.append((f"{what} {where}", call))

            add("by_category", lambda s=scope, a=start, b=end: read.tallies.by_category(s, a, b))
            add("by_team", lambda s=scope, a=start, b=end: read.tallies.by_team(s, a, b))
            add("by_member", lambda s=scope, a=start, b=end: read.tallies.by_member(s, a, b))
            add("active_counts",
                lambda s=scope, a=start, b=end: read.activity.active_counts(s, a, b))
            add("export teams",
                lambda s=scope, a=start, b=end: read.tallies.teams_by_category(s, a, b))
            add("export communes",
                lambda s=scope, a=start, b=end: read.tallies.communes_by_category(s, a, b))
            add("export member months", lambda s=scope, a=start, b=end:
                read.tallies.member_months(s, a, b, [a.replace(day=1)]))
            add("weekly citizens", lambda s=scope, a=start: read.tallies.weekly_citizens(
                s, a, 8))
            # The steering figures: completeness, targets' progress, days on duty.
            add("team activity",
                lambda s=scope, a=start, b=end: read.activity.team_activity(s, a, b))
            for level in ("team", "commune", "scope"):
                add(f"citizens by {level}", lambda s=scope, a=start, b=end, lv=level:
                    read.tallies.citizens_by_place(s, lv, a, b))
            add("days on duty",
                lambda s=scope, a=start, b=end: read.activity.duty_month(s, a, b))
            # The web dashboard's trend charts.
            add("days by category",
                lambda s=scope, a=start, b=end: read.tallies.by_day_category(s, a, b))
        calls.append((f"active_counts_many {period_name}", lambda: read.activity.
                      active_counts_many(Scope(PROVINCE), [WEEK, MONTH, DAYS])))
        calls.append((f"by_commune {period_name}", lambda a=start, b=end:
                      read.tallies.by_commune(PROVINCE, a, b)))
        calls.append((f"member_by_category {period_name}", lambda a=start, b=end:
                      read.tallies.member_by_category(members[0], a, b)))
        calls.append((f"members_with_sessions {period_name}", lambda a=start, b=end:
                      read.activity.members_with_sessions(members, a, b)))
        # The feed for the level above: a month's cells, and the communes' teams and members.
        calls.append((f"feed cells {period_name}", lambda a=start, b=end:
                      read.tallies.feed_cells(PROVINCE, a, b)))
    return calls


async def test_no_figure_reads_raw_sessions_or_scans_a_rollup(
        filled: tuple[Database, list[int], list[int]]) -> None:
    db, teams, members = filled
    for name, call in _calls(Repos(db.reader), teams, members):
        for sql, plan in (await _plans(db, call)).items():
            scans = [line for line in plan if _FULL_SCAN.match(line)]
            assert not scans, f"{name}: {scans} in\n{sql}\n{plan}"
            raw = [line for line in plan if _RAW.search(line)]
            assert not raw, f"{name} reads raw sessions: {raw}\n{sql}"


@pytest.mark.parametrize("scope", [Scope(PROVINCE), Scope(PROVINCE, COMMUNES[0]),
                                   Scope(PROVINCE, COMMUNES[0], 1)])
async def test_the_export_reads_only_its_period_of_raw_sessions(
        filled: tuple[Database, list[int], list[int]], scope: Scope) -> None:
    db, _, _ = filled
    sql, params = day_sessions_query(scope, MONTH[0])
    plan = [str(r[3]) for r in await db.reader.execute_fetchall(
        f"EXPLAIN QUERY PLAN {sql}", params)]
    assert not [line for line in plan if _FULL_SCAN.match(line)], plan
    assert any(re.match(r"^SEARCH s USING INDEX sessions_\w+ \(.*session_date=\?\)", line)
               for line in plan), plan
    # In the order logged, which is the index's own: a day is streamed, never sorted.
    assert not [line for line in plan if "TEMP B-TREE" in line], plan
