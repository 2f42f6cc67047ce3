"""The allowance arithmetic, on the three provinces' rules (amounts worked out by hand)."""

from __future__ import annotations

import pytest

from bot.core.allowance import (
    AllowanceInputError,
    AllowanceRule,
    MemberAmount,
    parse_amount,
    parse_rule,
    shares,
    team_amount,
)

HA_TINH = AllowanceRule(per_team=600_000)
BINH_DUONG = AllowanceRule(per_member=60_000, per_day=150_000)
DA_NANG = AllowanceRule(per_team=300_000, per_day=50_000, cap=300_000)


def test_ha_tinh_pays_each_team_a_fixed_amount_whatever_its_members_did() -> None:
    busy = team_amount(HA_TINH, [4, 0, 2])
    quiet = team_amount(HA_TINH, [0, 0])
    assert [m.total for m in busy.members] == [0, 0, 0]
    assert busy.total == quiet.total == 600_000


def test_binh_duong_pays_per_member_per_month_plus_per_day_on_duty() -> None:
    team = team_amount(BINH_DUONG, [3, 0, 5])
    # 60,000 + 3 × 150,000 = 510,000; 60,000; 60,000 + 5 × 150,000 = 810,000
    assert [m.total for m in team.members] == [510_000, 60_000, 810_000]
    assert team.members[0] == MemberAmount(monthly=60_000, daily=450_000, adjustment=0)
    assert team.team_part == 0
    assert team.total == 1_380_000


def test_da_nang_pays_days_worked_out_of_the_team_amount() -> None:
    # 3 person-days = 150,000 for the members, the other 150,000 stays with the team.
    team = team_amount(DA_NANG, [2, 1, 0])
    assert [m.total for m in team.members] == [100_000, 50_000, 0]
    assert team.team_part == 150_000
    assert team.total == 300_000


def test_da_nang_scales_the_members_down_to_the_cap_to_the_last_dong() -> None:
    # 7 person-days = 350,000 > 300,000: × 300,000/350,000.
    # 200,000 → 171,428.57 → 171,428 (+1, the larger remainder) = 171,429
    # 150,000 → 128,571.43 → 128,571
    team = team_amount(DA_NANG, [4, 3])
    assert [m.total for m in team.members] == [171_429, 128_571]
    assert [m.adjustment for m in team.members] == [-28_571, -21_429]
    assert team.team_part == 0
    assert team.total == 300_000


def test_a_cap_alone_limits_a_per_day_rule() -> None:
    rule = AllowanceRule(per_day=50_000, cap=300_000)
    assert team_amount(rule, [2, 1]).total == 150_000        # under the cap: days worked
    assert team_amount(rule, [5, 5]).total == 300_000        # over: the cap


def test_shares_add_up_exactly_and_spare_dong_go_to_the_largest_remainders() -> None:
    assert shares([100, 100, 100], 200) == [67, 67, 66]
    assert shares([1, 2], 2) == [1, 1]                       # 0.67 and 1.33: the 0.67 rounds up
    assert sum(shares([333, 333, 334], 500)) == 500


@pytest.mark.parametrize(("typed", "dong"), [
    ("600000", 600_000), ("600.000", 600_000), ("600,000", 600_000), ("600k", 600_000),
    ("1,5tr", 1_500_000), ("0.6tr", 600_000), ("50000đ", 50_000), ("150 nghìn", None),
    ("abc", None), ("1.2345tr", None),
])
def test_amounts_as_people_type_them(typed: str, dong: int | None) -> None:
    assert parse_amount(typed) == dong


@pytest.mark.parametrize(("typed", "rule"), [
    ("team 600000", HA_TINH),
    ("tổ 600.000", HA_TINH),
    ("member 60k day 150k", BINH_DUONG),
    ("thành viên 60.000 ngày 150.000", BINH_DUONG),
    ("tổ=300000 ngày=50000 trần=300000", DA_NANG),
    ("day 50k cap 300k team 300k", DA_NANG),
    ("off", AllowanceRule()),
])
def test_rules_as_people_type_them(typed: str, rule: AllowanceRule) -> None:
    assert parse_rule(typed) == rule


@pytest.mark.parametrize(("typed", "problem"), [
    ("", "usage"), ("team", "missing_amount"), ("bonus 5000", "unknown_part"),
    ("team 5 team 6", "twice"), ("cap 0 team 5", "zero_cap"), ("cap 300000", "nothing_paid"),
    ("team 200000000", "too_large"),
])
def test_bad_rules_are_named(typed: str, problem: str) -> None:
    with pytest.raises(AllowanceInputError) as caught:
        parse_rule(typed)
    assert caught.value.code == problem
