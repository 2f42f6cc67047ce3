"""The registry's history on real SQLite: the periods every writer records, the upgrade of a
database from before history was kept, and sessions on time."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from bot.core.permissions import Scope
from storage.db import Database
from storage.repos import Repos
from tests.harness.small_province import Small

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.2.sqlite3"
NOV = (date(2026, 11, 1), date(2026, 11, 30))
VI_THUY = Scope("92", "31441")


def _at(day: int, month: int = 11, hour: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)   # 10:00 in Vietnam


async def _periods(db: Database, table: str, key: str, value: int
                   ) -> list[tuple[object, ...]]:
    columns = "team_id, since_day, until_day" if table == "memberships" else \
        "since_day, until_day"
    return [tuple(r) for r in await db.reader.execute_fetchall(
        f"SELECT {columns} FROM {table} WHERE {key} = ? ORDER BY since_day, id", (value,))]


async def test_moves_closures_and_new_teams_are_dated_by_whoever_writes_them(
        small: Small) -> None:
    an, em = small.people["Lê Văn An"], small.people["Võ Văn Em"]
    a10, a2 = small.teams["a10"], small.teams["a2"]
    async with small.db.write() as conn:
        repos = Repos(conn)
        await repos.members.move_to_team(an, a2, _at(12))            # moved on 12/11
        await repos.members.set_active(em, False, _at(20))           # left on 20/11
        await repos.teams.set_active(small.teams["a3"], False, _at(25))
        new_team = await repos.teams.add(commune_code="31441", name="Ấp 20", kind="hamlet",
                                         now=_at(16, hour=20))        # 17/11 in Vietnam
        assert new_team is not None
        await repos.members.move_to_team(an, a10, _at(12, hour=9))   # and back the same day
    created = str(small.clock().date())
    assert (await _periods(small.db, "memberships", "member_id", an))[-1] == (
        a10, "2026-11-12", None)
    assert next(p for p in await _periods(small.db, "memberships", "member_id", an)
            if p[0] == a10)[2] == "2026-11-11"                     # left Ấp 10 the day before
    assert (await _periods(small.db, "memberships", "member_id", em))[-1][2] == "2026-11-19"
    assert await _periods(small.db, "team_spans", "team_id", new_team) == [("2026-11-17", None)]
    assert (await _periods(small.db, "team_spans", "team_id", small.teams["a3"]))[-1][1] == \
        "2026-11-24"
    assert created  # the registry itself was created before all of this (REGISTRY_AGE)

    read = Repos(small.db.reader)
    october = await read.activity.team_activity(VI_THUY, date(2026, 10, 1), date(2026, 10, 31))
    assert "Ấp 20" not in [t.team_name for t in october]              # did not exist yet
    november = await read.activity.team_activity(VI_THUY, *NOV)
    assert "Ấp 20" in [t.team_name for t in november]
    december = await read.activity.team_activity(VI_THUY, date(2026, 12, 1), date(2026, 12, 31))
    assert "Ấp 3" not in [t.team_name for t in december]              # closed on 25/11
    assert await read.history.team_on(an, date(2026, 11, 5)) == (a10, "31441")


async def test_a_database_from_before_history_gets_a_sensible_start(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURE, path)
    async with Database(path) as db:
        read = Repos(db.reader)
        # Sơn: in Ấp 1 for the days he logged there, in Ấp 2 from his creation (16/11).
        assert await _periods(db, "memberships", "member_id", 3) == [
            (1, "2026-11-02", "2026-11-05"), (2, "2026-11-16", None)]
        # Nghỉ left on 18/11 but had logged on 03/11: from then until he left.
        assert await _periods(db, "memberships", "member_id", 6) == [
            (1, "2026-11-03", "2026-11-18")]
        # Khu vực 3 was closed on 20/11; Ấp 1 existed since its first session (02/11).
        assert await _periods(db, "team_spans", "team_id", 3) == [("2026-11-16", "2026-11-20")]
        assert await _periods(db, "team_spans", "team_id", 1) == [("2026-11-02", None)]
        rows = await read.activity.duty_month(VI_THUY, *NOV)
        son = [(r.team_name, r.days, r.monthly) for r in rows if r.member_name == "Lê Văn Sơn"]
        assert son == [("Ấp 1", 2, False), ("Ấp 2", 2, True)]
        # /stats counts Sơn once though he has two periods in the commune
        [counts] = await read.activity.active_counts_many(VI_THUY, [NOV])
        assert (counts.members, counts.active_members, counts.teams, counts.active_teams) == (
            4, 4, 2, 2)
        teams = {t.team_name: t for t in await read.activity.team_activity(VI_THUY, *NOV)}
        # 6 sessions in Ấp 1 (one was undone); those of 2, 3 and 5/11 were logged 11 to 17
        # days after (history typed in late), the others the same day or before
        assert (teams["Ấp 1"].sessions, teams["Ấp 1"].on_time) == (6, 3)
        assert (teams["Ấp 2"].sessions, teams["Ấp 2"].on_time) == (2, 2)


async def test_a_session_counts_as_on_time_within_the_setting(small: Small) -> None:
    small.clock.now = _at(20)
    await small.log("Lê Văn An", date(2026, 11, 17), 2)    # 3 days late: on time
    await small.log("Lê Văn An", date(2026, 11, 16), 2)    # 4 days late
    read = Repos(small.db.reader)
    [team] = [t for t in await read.activity.team_activity(VI_THUY, *NOV)
              if t.team_name == "Ấp 10"]
    assert (team.sessions, team.on_time) == (2, 1)
    [team] = [t for t in await read.activity.team_activity(VI_THUY, *NOV, on_time_days=4)
              if t.team_name == "Ấp 10"]
    assert team.on_time == 2


async def test_target_lists_drill_down_to_the_places_of_their_day(small: Small) -> None:
    """A team closed on 25/11 still has its targets for 20/11; one created on 17/11 has none
    for 10/11; the province lists the communes that had a team that day."""
    a3 = small.teams["a3"]
    async with small.db.write() as conn:
        repos = Repos(conn)
        await repos.teams.set_active(a3, False, _at(25))
        new_team = await repos.teams.add(commune_code="31441", name="Ấp 20", kind="hamlet",
                                         now=_at(16, hour=20))
        assert new_team is not None
    history = Repos(small.db.reader).history
    on_20 = await history.places_with_teams_on(date(2026, 11, 20), commune="31441")
    assert {str(a3), str(new_team)} <= on_20
    assert str(new_team) not in await history.places_with_teams_on(date(2026, 11, 10),
                                                                   commune="31441")
    assert str(a3) not in await history.places_with_teams_on(date(2026, 11, 26),
                                                             commune="31441")
    assert "31441" in await history.places_with_teams_on(date(2026, 11, 20), province="92")
