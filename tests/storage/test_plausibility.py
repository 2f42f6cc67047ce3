"""Plausibility and evidence storage: every read on the logging path is an index seek, and a
flag follows its session (undone by the member: no longer open)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from bot.core.permissions import Scope
from bot.core.plausibility import Hit, Rule
from storage.db import Database
from storage.repos import Repos
from storage.repos.sessions import day_sessions_query
from tests.storage.test_query_plans import MONTH, _plans
from tests.storage.test_rollups import COMMUNES, PROVINCE, _apply, _registry

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
_SCAN = re.compile(r"^SCAN (s|sessions|member_day|session_flags|f|evidence|e)\b")


@pytest.fixture
async def filled(db: Database) -> tuple[Database, list[int], list[int]]:
    teams, members = await _registry(db)
    await _apply(db, [("add", i % 7, 1 + i % 7, 3, i % 60, None) for i in range(40)],
                 teams, members)
    return db, teams, members


async def test_the_rules_read_the_member_through_indexes(
        filled: tuple[Database, list[int], list[int]]) -> None:
    db, _, members = filled

    async def history() -> object:
        return await Repos(db.reader).plausibility.history(
            member_id=members[0], day=date(2026, 11, 3), category_id=1, citizens=3, recent=4)

    plans = await _plans(db, history)
    assert len(plans) == 1  # one trip to the database thread, inside Save's transaction
    for sql, plan in plans.items():
        assert not [line for line in plan if _SCAN.match(line)], (sql, plan)
        assert not [line for line in plan if "TEMP B-TREE" in line], (sql, plan)
    assert any("sessions_member_logged" in line for plan in plans.values() for line in plan)


async def test_the_exports_two_new_columns_are_seeks(
        filled: tuple[Database, list[int], list[int]]) -> None:
    db, _, _ = filled
    sql, params = day_sessions_query(Scope(PROVINCE, COMMUNES[0]), MONTH[0])
    plan = [str(r[3]) for r in await db.reader.execute_fetchall(
        f"EXPLAIN QUERY PLAN {sql}", params)]
    assert not [line for line in plan if _SCAN.match(line)], plan
    assert any("session_flags" in line and "SEARCH" in line for line in plan), plan
    assert any("evidence" in line and "SEARCH" in line for line in plan), plan


async def test_a_flag_is_listed_by_place_and_closed_when_its_session_is_undone(
        filled: tuple[Database, list[int], list[int]]) -> None:
    db, _, _ = filled
    row = await db.reader.execute_fetchall(
        "SELECT id, team_id, commune_code FROM sessions WHERE deleted_at IS NULL LIMIT 2")
    (first, team, commune), (second, team2, commune2) = (tuple(r) for r in row)
    async with db.write() as conn:
        repos = Repos(conn)
        for session_id, t, c in ((first, team, commune), (second, team2, commune2)):
            await repos.plausibility.flag(session_id=session_id, hits=(
                Hit(Rule.SESSION, 100, 150), Hit(Rule.REPEAT, 1, 2)), team_id=t,
                commune_code=c, now=NOW)
    read = Repos(db.reader).plausibility
    everywhere = Scope(PROVINCE)
    assert await read.count_open(everywhere) == 2
    assert await read.count_open(Scope(PROVINCE, commune, team)) >= 1
    [flag, *_] = await read.open_in(Scope(PROVINCE, commune, team), limit=5)
    assert flag.rules == ("session", "repeat")
    assert flag.detail == (("session", 100, 150), ("repeat", 1, 2))
    async with db.write() as conn:
        await Repos(conn).sessions.delete(first, NOW)
    assert await read.count_open(everywhere) == 1
    raw = await db.reader.execute_fetchall(
        "SELECT COUNT(*) FROM session_flags WHERE status = 'open'")
    assert raw[0][0] == 1      # /approve's plain count agrees
    other = await read.of_session(second)
    assert other is not None
    async with db.write() as conn:
        assert await Repos(conn).plausibility.decide(other.id, status="confirmed", by=None,
                                                     reason=None, now=NOW)
        assert not await Repos(conn).plausibility.decide(other.id, status="rejected", by=None,
                                                         reason="x", now=NOW)
    assert await read.count_open(everywhere) == 0


async def test_a_photo_follows_its_session_through_an_undo_fix_and_goes_with_the_member(
        filled: tuple[Database, list[int], list[int]]) -> None:
    db, _, _ = filled
    rows = await db.reader.execute_fetchall(
        "SELECT id, member_id FROM sessions WHERE deleted_at IS NULL ORDER BY id LIMIT 2")
    (first, member), (second, _) = (tuple(r) for r in rows)
    async with db.write() as conn:
        evidence = Repos(conn).evidence
        photo = await evidence.add_pending(member_id=member, path="a.jpg", size=10,
                                           kept_metadata=False, now=NOW)
        assert not await evidence.attach(photo, member_id=member + 1, session_id=first)
        assert await evidence.attach(photo, member_id=member, session_id=first)
        assert not await evidence.attach(photo, member_id=member, session_id=second)
        assert await evidence.attach(photo, member_id=member, session_id=second,
                                     replaces=first)           # /undo's fix of that session
        assert await evidence.path_of_session(second) == "a.jpg"
        assert await evidence.count_of(member) == 1
        await evidence.add_pending(member_id=member, path="never-saved.jpg", size=10,
                                   kept_metadata=False, now=NOW)
        assert await evidence.remove_expired(kept_before=NOW, pending_before=NOW) == []
        later = NOW.replace(day=25)
        assert await evidence.remove_expired(kept_before=NOW, pending_before=later) == [
            "never-saved.jpg"]
        assert await evidence.remove_member(member) == ["a.jpg"]
        assert await evidence.count_of(member) == 0
