"""Shares that never hide a miss, and Zalo's lists that never look like its choices: the
province's /stats when every team but one has reported, on both channels and languages."""

from __future__ import annotations

import re
from datetime import date

from bot.core.text import fold
from storage.repos import Repos
from tests.harness.world import World
from tests.harness.zalo_world import ZaloWorld

TODAY = date(2026, 11, 23)
MISSING_TEAM = "Ấp 7"
MISSING_COMMUNE = "Xã Vị Thủy"


async def _every_team_but_one_reports(world: World) -> tuple[int, int]:
    """One session today in every team with members but Ấp 7 of Vị Thủy: (reported, teams)."""
    async with world.services.db.write() as conn:
        await conn.execute("DELETE FROM sessions")
        rows = await (await conn.execute(
            "SELECT t.id, t.commune_code, t.name, c.name, MIN(m.id) FROM teams t"
            " JOIN communes c ON c.code = t.commune_code"
            " JOIN members m ON m.team_id = t.id AND m.active"
            " WHERE t.active GROUP BY t.id")).fetchall()
        repos = Repos(conn)
        category = await repos.categories.by_code("cks")
        assert category is not None
        reported = 0
        for team_id, code, team, commune, member_id in rows:
            if (team, commune) == (MISSING_TEAM, MISSING_COMMUNE):
                continue
            await repos.sessions.add(
                member_id=member_id, team_id=team_id, commune_code=code,
                category_id=category.id, citizens=2, session_date=TODAY, note=None,
                photo_ref=None, channel="telegram", idempotency_key=f"all-{team_id}",
                now=world.clock())
            reported += 1
    return reported, len(rows)


def _lowest(text: str) -> list[str]:
    _head, _, tail = text.partition("Thấp nhất:" if "Thấp nhất:" in text else "Lowest:")
    assert tail, text
    return [line for line in tail.splitlines()[1:] if line.startswith("•")]


async def test_one_missing_team_is_never_rounded_away(zworld: ZaloWorld) -> None:
    world = zworld.world
    reported, teams = await _every_team_but_one_reports(world)
    assert reported == teams - 1
    assert teams > 200

    coordinator = world.person("province_coordinator")
    await coordinator.command("stats", "tuần", "này")
    text = (await coordinator.next_message()).text
    assert f"Tổ đã báo cáo: {reported}/{teams} (99,8%)" in text
    assert "(100%)" not in text.split("Xếp hạng")[0]
    lowest = _lowest(text)
    assert len(lowest) == 1                                  # only the place that missed
    assert MISSING_COMMUNE in lowest[0]
    assert "100%" not in lowest[0]

    on_zalo = zworld.person("province_coordinator")
    await on_zalo.send("/lang en")
    await on_zalo.next_message()
    await on_zalo.send("/stats this week")
    shown = await on_zalo.next_message()
    assert f"Teams reporting: {reported}/{teams} (99.8%)" in shown.text
    [line] = _lowest(shown.text)
    assert MISSING_COMMUNE in line

    # Zalo: the only numbered lines are the choices, after the content.
    numbered = [line for line in shown.text.splitlines() if re.match(r"^\s*\d+[.)]", line)]
    assert numbered == [f"{n}. {label}" for n, label in enumerate(shown.choices, start=1)]
    assert shown.choices                                     # other periods to step to
    full = len(shown.text)

    # A step to another period sends what changed, kept short.
    step = next(c for c in shown.choices if "tuần" in fold(c) or "week" in c.lower())
    await on_zalo.choose(step, shown)
    stepped = await on_zalo.next_message()
    assert len(stepped.text) < full / 2
    assert "Teams reporting" in stepped.text
    assert stepped.choices


async def test_every_place_reported_says_so(quiet_world: World) -> None:
    world = quiet_world
    async with world.services.db.write() as conn:
        await conn.execute("UPDATE teams SET active = 0 WHERE name = ?", (MISSING_TEAM,))
    await _every_team_but_one_reports(world)
    coordinator = world.person("province_coordinator")
    await coordinator.command("stats", "tuần", "này")
    text = (await coordinator.next_message()).text
    assert "Thấp nhất:" not in text
    assert "Mọi xã/phường đều đã có tổ báo cáo đủ." in text
