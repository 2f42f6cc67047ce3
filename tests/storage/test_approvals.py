"""Monthly approval and lock on real SQLite: an approved commune-month cannot change, whatever
members do, until it is reopened."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.allowance import AllowanceRule
from bot.core.permissions import Scope
from handlers.render.steering_sheets import team_blocks
from storage.db import Database
from storage.repos import Repos
from tests.harness.database import VI_THANH, VI_THUY, add_two_communes

REGISTERED = datetime(2025, 10, 1, 3, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)          # 5 December, 10:00 in Vietnam
NOV = (date(2026, 11, 1), date(2026, 11, 30))
FIRST_DAY = date(2026, 11, 4)                            # LOG_MAX_AGE_DAYS back from NOW
COMMUNE = Scope("92", VI_THUY)
#: (commune, team name) of the teams; members by team index
TEAMS = ((VI_THUY, "Ấp 1"), (VI_THUY, "Ấp 2"), (VI_THANH, "Khu vực 1"))
MEMBERS = (0, 0, 1, 2)
RULE = AllowanceRule(per_member=60_000, per_day=150_000)


async def _world(db: Database) -> tuple[list[int], list[int]]:
    async with db.write() as conn:
        repos = Repos(conn)
        await add_two_communes(repos)
        teams = []
        for commune, name in TEAMS:
            team_id = await repos.teams.add(commune_code=commune, name=name, kind="hamlet",
                                            now=REGISTERED)
            assert team_id is not None
            teams.append(team_id)
        members = [await repos.members.create(full_name=f"Người {i}", team_id=teams[t],
                                              phone=None, language=None, now=REGISTERED)
                   for i, t in enumerate(MEMBERS)]
        await repos.allowance.add(from_month=NOV[0], rule=RULE, by=None, now=REGISTERED)
    for n, (who, day) in enumerate(((0, 5), (0, 12), (1, 12), (2, 20), (3, 21))):
        await _log(db, members[who], date(2026, 11, day), 3, f"seed{n}", check=False)
    return teams, members


async def _log(db: Database, member: int, day: date, citizens: int, key: str, *,
               check: bool = True) -> bool:
    """What /log does: the team of that day, the lock asked first (a polite refusal)."""
    async with db.write() as conn:
        repos = Repos(conn)
        person = await repos.members.get(member)
        assert person is not None
        assert person.team_id is not None
        team = await repos.teams.get(person.team_id)
        assert team is not None
        team_id, commune = await repos.history.team_on(member, day) or (team.id,
                                                                         team.commune_code)
        if check and await repos.approvals.lock_of(commune, day) is not None:
            return False
        await repos.sessions.add(member_id=member, team_id=team_id, commune_code=commune,
                                 category_id=1, citizens=citizens, session_date=day, note=None,
                                 photo_ref=None, channel="telegram", idempotency_key=key,
                                 now=NOW)
    return True


async def _figures(db: Database) -> tuple[Any, ...]:
    read = Repos(db.reader)
    rows = await read.activity.duty_month(COMMUNE, *NOV)
    total = await read.tallies.total(COMMUNE, *NOV)
    teams = await read.activity.team_activity(COMMUNE, *NOV)
    allowance = sum(b.amount.total for b in team_blocks(rows, RULE) if b.amount)
    return (tuple((r.member_id, r.team_id, r.days, r.sessions, r.citizens, r.monthly)
                  for r in rows),
            (total.sessions, total.citizens),
            tuple((t.team_id, t.members, t.active_members, t.sessions, t.citizens, t.on_time)
                  for t in teams),
            allowance)


async def _approve(db: Database) -> None:
    async with db.write() as conn:
        assert await Repos(conn).approvals.approve("commune", VI_THUY, NOV[0], by=None,
                                                   now=NOW, summary={})


async def test_the_lock_holds_for_any_writer_and_lifts_when_reopened(db: Database) -> None:
    _, members = await _world(db)
    await _approve(db)
    before = await _figures(db)
    assert before[3] == 3 * 60_000 + 150_000 * 4                     # 3 members, 4 days
    assert not await _log(db, members[0], date(2026, 11, 20), 2, "k1")   # asked first: refused
    with pytest.raises(sqlite3.IntegrityError, match="locked"):      # and the database refuses
        await _log(db, members[0], date(2026, 11, 20), 2, "k2", check=False)
    session = (await Repos(db.reader).sessions.latest_of(members[0], limit=1))[0]
    with pytest.raises(sqlite3.IntegrityError, match="locked"):
        async with db.write() as conn:
            await Repos(conn).sessions.delete(session.id, NOW)
    async with db.write() as conn:    # what /forget erases is no figure: it stays writable
        await conn.execute("UPDATE sessions SET note = NULL WHERE id = ?", (session.id,))
    assert await _log(db, members[0], date(2026, 12, 1), 2, "k3")    # December is open
    assert await _log(db, members[3], date(2026, 11, 20), 2, "k4")   # so is another commune
    assert await _figures(db) == before
    async with db.write() as conn:
        assert await Repos(conn).approvals.reopen("commune", VI_THUY, NOV[0], by=None, now=NOW,
                                                  reason="sửa số liệu")
        assert not await Repos(conn).approvals.reopen("commune", VI_THUY, NOV[0], by=None,
                                                      now=NOW, reason="again")
    assert await _log(db, members[0], date(2026, 11, 20), 2, "k5")
    assert await _figures(db) != before
    await _approve(db)                                               # a new approval
    rows = await db.reader.execute_fetchall(
        "SELECT reopen_reason FROM month_approvals ORDER BY id")
    assert [r[0] for r in rows] == ["sửa số liệu", None]


# --- the property ------------------------------------------------------------------------------

_day = st.integers(0, (NOW.date() - FIRST_DAY).days).map(lambda n: FIRST_DAY + timedelta(n))
log = st.tuples(st.just("log"), st.integers(0, len(MEMBERS) - 1), _day, st.integers(1, 40))
undo = st.tuples(st.just("undo"), st.integers(0, 50))
edit = st.tuples(st.just("edit"), st.integers(0, 50), _day, st.integers(1, 40))
actions = st.lists(st.one_of(log, undo, edit), min_size=1, max_size=25)


async def _act(db: Database, members: list[int], steps: list[tuple[Any, ...]]) -> None:
    """Members log, undo and fix entries as the flows let them (the lock asked first); the
    database is also tried directly, as a writer that forgot to ask."""
    for n, step in enumerate(steps):
        if step[0] == "log":
            _, who, day, citizens = step
            if not await _log(db, members[who], day, citizens, f"p{n}"):
                with pytest.raises(sqlite3.IntegrityError):
                    await _log(db, members[who], day, citizens, f"p{n}", check=False)
            continue
        ids = [r[0] for r in await db.reader.execute_fetchall(
            "SELECT id FROM sessions WHERE deleted_at IS NULL ORDER BY id")]
        if not ids:
            continue
        target = await Repos(db.reader).sessions.get(ids[step[1] % len(ids)])
        assert target is not None
        locked = await Repos(db.reader).approvals.lock_of(target.commune_code,
                                                          target.session_date)
        try:
            async with db.write() as conn:
                await Repos(conn).sessions.delete(target.id, NOW)
            assert locked is None
        except sqlite3.IntegrityError:
            assert locked is not None
            continue
        if step[0] == "edit":    # a fix saves the entry again, maybe on another day
            await _log(db, target.member_id, step[2], step[3], f"e{n}")


async def _property(steps: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with Database(Path(tmp) / "p.sqlite3") as db:
            _, members = await _world(db)
            await _approve(db)
            before = await _figures(db)
            await _act(db, members, steps)
            assert await _figures(db) == before


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(actions)
def test_once_approved_no_member_action_changes_the_month(steps: list[tuple[Any, ...]]) -> None:
    asyncio.run(_property(steps))
