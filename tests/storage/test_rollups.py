"""The roll-ups: for any history of sessions, edits, undos, deletes and members moving, every
figure of the fast path equals the same figure recomputed from the raw rows."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.models import Commune, Province
from bot.core.permissions import Scope
from storage import rollups
from storage.db import Database
from storage.repos import Repos
from storage.repos.scope_sql import teams_in
from tests.storage import raw_figures as raw

NOW = datetime(2026, 12, 30, 3, 0, tzinfo=UTC)
#: The registry predates every session: the figures' registry of any period is today's one
#: (moves below are plain UPDATEs that keep updated_at, so history dates them at creation).
REGISTERED = datetime(2025, 10, 1, 3, 0, tzinfo=UTC)
FIRST = date(2026, 10, 26)   # a Monday; sessions fall on the 63 days from here
PROVINCE = "92"
COMMUNES = ("31441", "31321", "31120")
#: (commune index, active) of each team; the last one is deactivated.
TEAMS = ((0, True), (0, True), (1, True), (2, True), (2, False))
#: The team index each member starts in; member 6 is inactive.
MEMBERS = (0, 0, 1, 2, 3, 3, 4)
CATEGORIES = 7

add = st.tuples(st.just("add"), st.integers(0, len(MEMBERS) - 1),
                st.integers(1, CATEGORIES), st.integers(1, 30), st.integers(0, 62),
                st.one_of(st.none(), st.integers(-1, len(TEAMS) - 1)))
undo = st.tuples(st.just("undo"), st.integers(0, 200))
restore = st.tuples(st.just("restore"), st.integers(0, 200))
edit = st.tuples(st.just("edit"), st.integers(0, 200), st.integers(1, CATEGORIES),
                 st.integers(1, 30), st.integers(0, 62))
delete = st.tuples(st.just("delete"), st.integers(0, 200))
move = st.tuples(st.just("move"), st.integers(0, len(MEMBERS) - 1),
                 st.integers(0, len(TEAMS) - 1))
changes = st.one_of(undo, restore, edit, delete, move)
#: A history: sessions logged, then changed in every way, then more logged (Hypothesis keeps
#: lists short, so each part has its own list to make long histories common).
operations = st.builds(lambda a, b, c: a + b + c, st.lists(add, min_size=3, max_size=40),
                       st.lists(changes, min_size=2, max_size=25), st.lists(add, max_size=15))


async def _registry(db: Database) -> tuple[list[int], list[int]]:
    async with db.write() as conn:
        repos = Repos(conn)
        await repos.geo.upsert_province(Province(code=PROVINCE, name="Cần Thơ"))
        for i, code in enumerate(COMMUNES):
            await repos.geo.upsert_commune(Commune(code=code, province_code=PROVINCE,
                                                   name=f"Xã Thử {i}", division_type="xã"))
        teams = []
        for i, (commune, active) in enumerate(TEAMS):
            team_id, _ = await repos.teams.upsert(commune_code=COMMUNES[commune],
                                                  name=f"Ấp {i}", kind="hamlet",
                                                  former_district=None, former_commune=None,
                                                  now=REGISTERED)
            await conn.execute("UPDATE teams SET active = ? WHERE id = ?", (active, team_id))
            teams.append(team_id)
        members = []
        for i, team in enumerate(MEMBERS):
            members.append(await repos.members.create(full_name=f"Người {i}",
                                                      team_id=teams[team], phone=None,
                                                      language=None, now=REGISTERED))
        await conn.execute("UPDATE members SET active = 0 WHERE id = ?", (members[-1],))
    return teams, members


async def _apply(db: Database, ops: list[tuple[Any, ...]], teams: list[int],
                 members: list[int]) -> None:
    sessions: list[int] = []
    for n, op in enumerate(ops):
        async with db.write() as conn:
            repos = Repos(conn)
            kind = op[0]
            if kind == "add":
                _, who, category, citizens, day, where = op
                member = await repos.members.get(members[who])
                assert member is not None
                team_id = member.team_id if where is None else (
                    None if where < 0 else teams[where])
                team = await repos.teams.get(team_id) if team_id is not None else None
                session_id, _ = await repos.sessions.add(
                    member_id=member.id, team_id=team_id,
                    commune_code=team.commune_code if team else None, category_id=category,
                    citizens=citizens, session_date=FIRST + timedelta(days=day), note=None,
                    photo_ref=None, channel="telegram", idempotency_key=f"k{n}", now=NOW)
                sessions.append(session_id)
            elif kind == "move":
                await conn.execute("UPDATE members SET team_id = ? WHERE id = ?",
                                   (teams[op[2]], members[op[1]]))
            elif sessions:
                target = sessions[op[1] % len(sessions)]
                if kind == "undo":
                    await repos.sessions.delete(target, NOW)
                elif kind == "restore":
                    await conn.execute("UPDATE sessions SET deleted_at = NULL WHERE id = ?",
                                       (target,))
                elif kind == "edit":
                    await conn.execute(
                        "UPDATE sessions SET category_id = ?, citizens = ?, session_date = ?"
                        " WHERE id = ?",
                        (op[2], op[3], (FIRST + timedelta(days=op[4])).isoformat(), target))
                else:
                    await conn.execute("DELETE FROM sessions WHERE id = ?", (target,))


PERIODS = (
    (FIRST + timedelta(days=7), FIRST + timedelta(days=13)),   # an ISO week: member_week
    (date(2026, 11, 1), date(2026, 11, 30)),                   # a month: member_month
    (FIRST + timedelta(days=3), FIRST + timedelta(days=40)),   # any run of days: member_day
    (FIRST + timedelta(days=7), FIRST + timedelta(days=11)),   # a week so far
    (date(2026, 10, 1), date(2026, 12, 31)),                   # a quarter: three months' rows
    (date(2026, 11, 1), date(2026, 12, 31)),                   # two whole months
)


PlaceTuple = tuple[Any, ...]


def _tuples(places: list[Any], key: type = str) -> list[PlaceTuple]:
    return [(key(p.key), p.sessions, p.citizens, p.last_date.isoformat() if p.last_date
             else None) for p in places]


async def _compare(db: Database, teams: list[int], members: list[int]) -> None:
    fast = Repos(db.reader)
    conn = db.reader
    scopes = [Scope(PROVINCE), *(Scope(PROVINCE, c) for c in COMMUNES),
              *(Scope(PROVINCE, COMMUNES[TEAMS[i][0]], t) for i, t in enumerate(teams))]
    names = {t: f"Ấp {i}" for i, t in enumerate(teams)}
    for start, end in PERIODS:
        for scope in scopes:
            expected = await raw.by_category(conn, scope, start, end)
            got = await fast.tallies.by_category(scope, start, end)
            assert {k: (v.sessions, v.citizens) for k, v in got.items()} == expected
            by_team = await raw.by_team(conn, scope, start, end)
            assert _tuples(await fast.tallies.by_team(scope, start, end), int) == by_team
            by_member = await raw.by_member(conn, scope, start, end)
            assert _tuples(await fast.tallies.by_member(scope, start, end), int) == by_member
            counts = (await fast.activity.active_counts_many(scope, PERIODS))[
                PERIODS.index((start, end))]
            assert (counts.members, counts.active_members, counts.teams,
                    counts.active_teams) == (len(by_member), sum(m[1] > 0 for m in by_member),
                                             len(by_team), sum(t[1] > 0 for t in by_team))
            activity = {t.team_id: (t.members, t.active_members, t.sessions, t.citizens,
                                    t.last_date.isoformat() if t.last_date else None)
                        for t in await fast.activity.team_activity(scope, start, end)}
            assert activity == await raw.team_activity(conn, scope, start, end)
            for key, method in (("s.team_id", fast.tallies.teams_by_category),
                                ("s.commune_code", fast.tallies.communes_by_category)):
                tallies = await raw.tallies(conn, key, scope, start, end)
                places = await method(scope, start, end)
                got_tallies = [p.by_category for p in places]
                if key == "s.team_id":
                    order = [str(t[0]) for t in by_team]
                else:
                    where, params = teams_in(scope)
                    order = [str(r[0]) for r in await conn.execute_fetchall(
                        "SELECT c.code FROM communes c JOIN teams t ON t.commune_code = c.code"
                        f" AND t.active WHERE {where} GROUP BY c.code ORDER BY c.name_key",
                        params)]
                assert got_tallies == [tallies.get(k, {}) for k in order]
            months = await fast.tallies.member_months(scope, start, end, [
                date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)])
            got_months = {(m.member_id, m.team_name, f"{m.month:%Y-%m}"): m.by_category
                          for m in months if m.by_category}
            expected_months = {(k[0], names.get(k[1], "") if k[1] else "", k[2]): v
                               for k, v in (await raw.member_months(conn, scope, start,
                                                                    end)).items()}
            assert got_months == expected_months
        assert _tuples(await fast.tallies.by_commune(PROVINCE, start, end)) == \
            await raw.by_commune(conn, PROVINCE, start, end)
        logged = await raw.members_with_sessions(conn, start, end)
        assert await fast.activity.members_with_sessions(members, start, end) == \
            logged & set(members)
        for member in members:
            expected = await raw.member_by_category(conn, member, start, end)
            got = await fast.tallies.member_by_category(member, start, end)
            assert {k: (v.sessions, v.citizens) for k, v in got.items()} == expected
    for scope in scopes:
        assert await fast.tallies.weekly_citizens(scope, FIRST, 10) == \
            await raw.weekly_citizens(conn, scope, FIRST, 10)


async def _run(ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with Database(Path(tmp) / "p.sqlite3") as db:
            teams, members = await _registry(db)
            await _apply(db, ops, teams, members)
            assert (await rollups.check(db)).ok
            await _compare(db, teams, members)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(operations)
def test_every_figure_equals_the_raw_rows(ops: list[tuple[Any, ...]]) -> None:
    asyncio.run(_run(ops))


async def test_reindex_repairs_what_check_finds(db: Database) -> None:
    teams, members = await _registry(db)
    ops: list[tuple[Any, ...]] = [("add", 0, 1, 3, 5, None), ("add", 2, 2, 4, 9, None),
                                  ("add", 3, 1, 2, 9, None)]
    await _apply(db, ops, teams, members)
    async with db.write() as conn:  # another tool changed the figures behind the bot's back
        await conn.execute("UPDATE commune_day SET citizens = citizens + 10")
        await conn.execute("DELETE FROM member_week")
    report = await rollups.check(db)
    assert not report.ok
    assert report.mismatches["commune_day"] > 0
    assert report.mismatches["member_week"] > 0
    assert report.mismatches["member_day"] == 0
    async with db.write() as conn:
        await rollups.rebuild(conn)
    assert (await rollups.check(db)).ok
    await _compare(db, teams, members)
