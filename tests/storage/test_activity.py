"""The steering figures, targets, allowance rules and pauses on real SQLite."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.allowance import AllowanceRule
from bot.core.permissions import Scope
from bot.core.targets import TargetPeriod
from storage.repos import Repos
from tests.harness.small_province import Small

MON, SUN = date(2026, 11, 16), date(2026, 11, 22)
VI_THUY = Scope("92", "31441")


async def test_team_activity_for_a_hand_built_week(small: Small) -> None:
    await small.log("Lê Văn An", MON, 3)
    await small.log("Lê Văn An", date(2026, 11, 18), 2)
    await small.log("Nguyễn Văn Cường", date(2026, 10, 20), 4)   # long before the week
    await small.log("Nguyễn Văn Cường", date(2026, 11, 25), 4)   # after it: not "last" yet
    read = Repos(small.db.reader)
    teams = await read.activity.team_activity(VI_THUY, MON, SUN)
    assert [t.team_name for t in teams] == ["Ấp 2", "Ấp 3", "Ấp 10"]      # natural order
    by_name = {t.team_name: t for t in teams}
    a10, a2, a3 = by_name["Ấp 10"], by_name["Ấp 2"], by_name["Ấp 3"]
    assert (a10.members, a10.active_members, a10.sessions, a10.citizens) == (2, 1, 2, 5)
    assert a10.last_date == date(2026, 11, 18)
    assert (a2.members, a2.active_members, a2.sessions, a2.last_date) == (
        3, 0, 0, date(2026, 10, 20))
    assert a3.members == 0


async def test_team_activity_follows_the_registry_between_two_reads(small: Small) -> None:
    # The teams of a period are kept per connection until the registry changes: a member who
    # moves and a team renamed show on the next read, a session logged does too.
    read = Repos(small.db.reader)
    before = {t.team_name: t for t in await read.activity.team_activity(VI_THUY, MON, SUN)}
    assert (before["Ấp 10"].members, before["Ấp 2"].members) == (2, 3)
    async with small.db.write() as conn:
        await Repos(conn).members.move_to_team(small.people["Trần Thị Bình"], small.teams["a2"],
                                               datetime(2026, 11, 10, 3, 0, tzinfo=UTC))
        await Repos(conn).teams.rename(small.teams["a3"], "Ấp 3 mới",
                                       datetime(2026, 11, 10, 3, 0, tzinfo=UTC))
    await small.log("Lê Văn An", MON, 3)
    after = {t.team_name: t for t in await read.activity.team_activity(VI_THUY, MON, SUN)}
    assert (after["Ấp 10"].members, after["Ấp 2"].members) == (1, 4)
    assert "Ấp 3 mới" in after
    assert "Ấp 3" not in after
    assert (after["Ấp 10"].sessions, after["Ấp 10"].last_date) == (1, MON)
    # and the week before the move is still the registry as it was then
    earlier = {t.team_name: t for t in await read.activity.team_activity(
        VI_THUY, date(2026, 11, 2), date(2026, 11, 8))}
    assert (earlier["Ấp 10"].members, earlier["Ấp 2"].members) == (2, 3)


async def test_citizens_by_place_and_category(small: Small) -> None:
    await small.log("Lê Văn An", MON, 3, category=1)
    await small.log("Phạm Thị Dung", MON, 5, category=2)
    await small.log("Đỗ Thị Giang", MON, 7, category=1)
    read = Repos(small.db.reader)
    province = Scope("92")
    by_commune = await read.tallies.citizens_by_place(province, "commune", MON, SUN)
    assert by_commune == {("31441", 1): 3, ("31441", 2): 5, ("31321", 1): 7}
    by_team = await read.tallies.citizens_by_place(VI_THUY, "team", MON, SUN)
    assert by_team == {(str(small.teams["a10"]), 1): 3, (str(small.teams["a2"]), 2): 5}
    assert await read.tallies.citizens_by_place(VI_THUY, "scope", MON, SUN) == {
        ("", 1): 3, ("", 2): 5}


async def test_days_on_duty_count_distinct_days_and_follow_a_member_who_moved(
        small: Small) -> None:
    nov = (date(2026, 11, 1), date(2026, 11, 30))
    await small.log("Lê Văn An", date(2026, 11, 3), 2)
    await small.log("Lê Văn An", date(2026, 11, 3), 1, category=2)   # same day: one day
    await small.log("Lê Văn An", date(2026, 11, 9), 4)
    # Bình moved from Ấp 10 to Ấp 2 on 12/11: listed under each team with her days there,
    # the monthly part once, under Ấp 2 where she ended the month.
    await small.log("Trần Thị Bình", date(2026, 11, 5), 1)
    async with small.db.write() as conn:
        await Repos(conn).members.move_to_team(small.people["Trần Thị Bình"], small.teams["a2"],
                                               datetime(2026, 11, 12, 3, 0, tzinfo=UTC))
    await small.log("Trần Thị Bình", date(2026, 11, 20), 1)
    rows = await Repos(small.db.reader).activity.duty_month(VI_THUY, *nov)
    assert [(r.team_name, r.member_name, r.days, r.sessions, r.citizens, r.monthly)
            for r in rows] == [
        ("Ấp 2", "Nguyễn Văn Cường", 0, 0, 0, True),
        ("Ấp 2", "Phạm Thị Dung", 0, 0, 0, True),
        ("Ấp 2", "Trần Thị Bình", 1, 1, 1, True),
        ("Ấp 2", "Võ Văn Em", 0, 0, 0, True),
        ("Ấp 10", "Lê Văn An", 2, 3, 7, True),
        ("Ấp 10", "Trần Thị Bình", 1, 1, 1, False),
    ]
    # October: Bình was in Ấp 10 only.
    october = await Repos(small.db.reader).activity.duty_month(
        VI_THUY, date(2026, 10, 1), date(2026, 10, 31))
    assert [(r.team_name, r.member_name) for r in october if "Bình" in r.member_name] == [
        ("Ấp 10", "Trần Thị Bình")]


async def test_targets_are_one_per_place_category_and_period(small: Small) -> None:
    nov = TargetPeriod(date(2026, 11, 1), "month")
    q4 = TargetPeriod(date(2026, 10, 1), "quarter")
    now = small.clock()
    async with small.db.write() as conn:
        targets = Repos(conn).targets
        assert await targets.set(scope_kind="commune", scope_id="31441", category_id=None,
                                 period=nov, citizens=100, by=None, now=now) is None
        assert await targets.set(scope_kind="commune", scope_id="31441", category_id=None,
                                 period=nov, citizens=120, by=None, now=now) == 100
        await targets.set(scope_kind="commune", scope_id="31441", category_id=1, period=nov,
                          citizens=50, by=None, now=now)
        await targets.set(scope_kind="province", scope_id="92", category_id=1, period=q4,
                          citizens=900, by=None, now=now)
        await targets.set(scope_kind="team", scope_id="7", category_id=1,
                          period=TargetPeriod(date(2026, 12, 1), "month"), citizens=9,
                          by=None, now=now)
    read = Repos(small.db.reader)
    found = await read.targets.covering(date(2026, 11, 20))
    assert sorted((t.scope_kind, t.category_id or 0, t.citizens) for t in found) == [
        ("commune", 0, 120), ("commune", 1, 50), ("province", 1, 900)]
    async with small.db.write() as conn:
        assert await Repos(conn).targets.set(scope_kind="commune", scope_id="31441",
                                             category_id=1, period=nov, citizens=None,
                                             by=None, now=now) == 50
    assert len(await read.targets.in_period(nov)) == 1


async def test_a_month_is_paid_on_the_rule_of_that_month(small: Small) -> None:
    now = small.clock()
    async with small.db.write() as conn:
        rules = Repos(conn).allowance
        await rules.add(from_month=date(2026, 10, 1), rule=AllowanceRule(per_team=600_000),
                        by=small.people["Lê Văn An"], now=now)
        await rules.add(from_month=date(2026, 12, 1), rule=AllowanceRule(per_day=50_000),
                        by=None, now=now)
        await rules.add(from_month=date(2027, 2, 1), rule=AllowanceRule(), by=None, now=now)
    read = Repos(small.db.reader).allowance
    assert await read.for_month(date(2026, 9, 1)) is None
    october = await read.for_month(date(2026, 11, 1))
    assert october is not None
    assert october.rule == AllowanceRule(per_team=600_000)
    assert october.set_by_name == "Lê Văn An"
    december = await read.for_month(date(2027, 1, 1))
    assert december is not None
    assert december.rule.per_day == 50_000
    assert await read.for_month(date(2027, 3, 1)) is None      # switched off


async def test_pauses_run_to_their_last_day(small: Small) -> None:
    an, em = small.people["Lê Văn An"], small.people["Võ Văn Em"]
    async with small.db.write() as conn:
        pauses = Repos(conn).pauses
        await pauses.set(an, date(2026, 11, 30), small.clock())
        await pauses.set(em, date(2026, 11, 20), small.clock())
        await pauses.set(em, date(2026, 11, 25), small.clock())      # changed, not doubled
    read = Repos(small.db.reader).pauses
    assert await read.current(date(2026, 11, 25)) == {an: date(2026, 11, 30),
                                                       em: date(2026, 11, 25)}
    assert await read.current(date(2026, 11, 26), [an]) == {an: date(2026, 11, 30)}
    async with small.db.write() as conn:
        assert await Repos(conn).pauses.clear(an)
        assert not await Repos(conn).pauses.clear(an)
    assert await read.current(date(2026, 11, 26)) == {}
