"""Activity aggregates on real SQLite with the demo province."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.permissions import Scope
from bot.core.registry.demo import demo_xlsx_bytes
from bot.core.registry.validate import plan_from_file
from storage.db import Database
from storage.registry_import import import_plan
from storage.repos import Repos
from tests.harness.clock import REGISTRY_AGE, FakeClock
from tests.harness.factories import log_session

MONDAY = date(2026, 11, 16)


async def test_tallies_by_place_and_period(db: Database, clock: FakeClock) -> None:
    await import_plan(db, plan_from_file(demo_xlsx_bytes(), "d.xlsx", "92"), province_code="92",
                      now=clock() - REGISTRY_AGE)  # the registry predates the week shown
    read = Repos(db.reader)
    team = (await read.teams.in_commune("31441"))[0]
    a, b = (m.id for m in (await read.members.in_team(team.id))[:2])
    await log_session(db, clock, a, "cks", 3, MONDAY, "k1")
    await log_session(db, clock, a, "cks", 2, MONDAY + timedelta(days=1), "k2")
    await log_session(db, clock, b, "vneid", 4, MONDAY + timedelta(days=2), "k3")
    await log_session(db, clock, b, "vneid", 9, MONDAY - timedelta(days=1), "k4")  # the week before
    async with db.write() as conn:  # an undone session never counts
        await Repos(conn).sessions.delete(
            (await Repos(conn).sessions.add(
                member_id=a, team_id=team.id, commune_code="31441", category_id=1, citizens=50,
                session_date=MONDAY, note=None, photo_ref=None, channel="telegram",
                idempotency_key="k5", now=clock()))[0], clock())

    week = (MONDAY, MONDAY + timedelta(days=6))
    commune = Scope("92", "31441")
    cks = await read.categories.by_code("cks")
    assert cks is not None
    by_cat = await read.tallies.by_category(commune, *week)
    assert by_cat[cks.id].citizens == 5
    assert by_cat[cks.id].sessions == 2
    assert (await read.tallies.total(Scope("92"), *week)).citizens == 9
    assert (await read.tallies.total(Scope("92", "31321"), *week)).citizens == 0

    teams = await read.tallies.by_team(commune, *week)
    assert len(teams) == len(await read.teams.in_commune("31441"))
    mine = next(t for t in teams if t.key == str(team.id))
    assert (mine.citizens, mine.sessions, mine.last_date) == (9, 3, MONDAY + timedelta(days=2))
    assert sum(t.citizens for t in teams) == 9

    communes = await read.tallies.by_commune("92", *week)
    assert len(communes) == 28
    assert next(c for c in communes if c.key == "31441").citizens == 9

    members = await read.tallies.by_member(Scope("92", "31441", team.id), *week)
    assert {m.key: m.citizens for m in members}[str(a)] == 5
    assert await read.activity.members_with_sessions([a, b, 999999], *week) == {a, b}
