"""Natural order of names, and reading how long a member pauses their reminders."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.natural_sort import natural_key, natural_sorted, sql_key
from bot.core.pause import PauseInputError, is_paused, parse_pause

MONDAY = date(2026, 11, 23)


def test_hamlets_sort_by_their_number_not_their_text() -> None:
    names = ["Ấp 10", "Ấp 2", "ấp 1", "Ấp Thạnh Lợi", "Ap 9", "Khu vực 11", "Khu vực 3"]
    assert natural_sorted(names, str) == ["ấp 1", "Ấp 2", "Ap 9", "Ấp 10", "Ấp Thạnh Lợi",
                                          "Khu vực 3", "Khu vực 11"]


def test_the_sql_key_gives_the_same_order_as_the_python_key() -> None:
    names = ["Phường Long Phú 1", "Khu vực 10", "Khu vực 2", "Ấp 1A", "Ấp 1", "Ấp 12", "Xã Vị Thủy"]
    assert sorted(names, key=sql_key) == sorted(names, key=natural_key)
    assert sql_key("Ấp 2") == "ap 0000000002"
    assert sql_key(None) == ""


@pytest.mark.parametrize(("typed", "until"), [
    ("2w", date(2026, 12, 6)),            # 14 days, today included
    ("2 tuần", date(2026, 12, 6)),
    ("10 ngày", date(2026, 12, 2)),
    ("1 tháng", date(2026, 12, 22)),      # 30 days
    ("3d", date(2026, 11, 25)),
    ("đến 15/12", date(2026, 12, 15)),
    ("until 2026-12-15", date(2026, 12, 15)),
    ("15/12", date(2026, 12, 15)),
    ("hôm nay", MONDAY),
])
def test_a_pause_is_read_as_its_last_day(typed: str, until: date) -> None:
    assert parse_pause(typed, MONDAY) == until


def test_a_day_early_next_year_typed_in_december_means_the_coming_one() -> None:
    assert parse_pause("5/1", date(2026, 12, 20)) == date(2027, 1, 5)


@pytest.mark.parametrize(("typed", "problem"), [
    ("", "usage"), ("soon", "usage"), ("0 ngày", "usage"), ("2 fortnights", "usage"),
    ("4 tháng", "too_long"), ("100d", "too_long"), ("20/11", "in_past"),
    ("2027-06-01", "too_long"), ("tháng 12", "usage"),
])
def test_a_pause_that_makes_no_sense_is_refused(typed: str, problem: str) -> None:
    with pytest.raises(PauseInputError) as caught:
        parse_pause(typed, MONDAY)
    assert caught.value.code == problem


def test_a_pause_includes_its_last_day_and_ends_after_it() -> None:
    until = date(2026, 12, 6)
    assert is_paused(until, date(2026, 12, 6))
    assert not is_paused(until, date(2026, 12, 7))
    assert not is_paused(None, MONDAY)


def test_who_may_pause_someone_else() -> None:
    from bot.core.pause import may_pause_member
    from bot.core.permissions import Grant, Scope
    from bot.core.roles import Role

    team = Scope("92", "31441", 7)
    leader = [Grant(Role.TEAM_LEADER, team)]
    commune = [Grant(Role.COMMUNE_COORDINATOR, Scope("92", "31441"))]
    member = [Grant(Role.MEMBER, team)]
    assert may_pause_member(leader, 1, 2, team, Role.MEMBER)
    assert not may_pause_member(leader, 1, 1, team, Role.MEMBER)              # oneself: /pause
    assert not may_pause_member(leader, 1, 2, Scope("92", "31441", 8), Role.MEMBER)
    assert not may_pause_member(leader, 1, 2, team, Role.TEAM_LEADER)         # a fellow leader
    assert may_pause_member(commune, 1, 2, Scope("92", "31441", 8), Role.TEAM_LEADER)
    assert not may_pause_member(commune, 1, 2, Scope("92", "31999", 9), Role.MEMBER)
    assert not may_pause_member(commune, 1, 2, team, Role.COMMUNE_COORDINATOR)
    assert not may_pause_member(member, 1, 2, team, Role.MEMBER)
    assert not may_pause_member(commune, 1, 2, None, Role.MEMBER)             # in no team
