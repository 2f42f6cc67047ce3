"""Targets: periods, progress against the days elapsed, and reading /target."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.targets import (
    Status,
    TargetChange,
    TargetInputError,
    TargetPeriod,
    expected_by_now,
    from_code,
    month_of,
    parse_target_change,
    parse_target_period,
    quarter_of,
    status,
)

NOV = TargetPeriod(date(2026, 11, 1), "month")          # 30 days
Q4 = TargetPeriod(date(2026, 10, 1), "quarter")         # 92 days
TODAY = date(2026, 11, 12)                              # 11 days of November are over
CATEGORIES = {"cks": 1, "chu ky so": 1, "ky so": 1, "vneid": 3, "dinh danh": 3}


def test_periods_know_their_days_labels_and_codes() -> None:
    assert (NOV.end, NOV.days) == (date(2026, 11, 30), 30)
    assert (Q4.end, Q4.days) == (date(2026, 12, 31), 92)
    assert NOV.label("vi") == "tháng 11/2026"
    assert Q4.label("vi") == "quý 4/2026"
    assert Q4.label("en") == "Q4/2026"
    assert from_code(NOV.code) == NOV
    assert from_code(Q4.code) == Q4
    assert from_code("q2026-5") is None
    assert month_of(TODAY) == NOV
    assert quarter_of(TODAY) == Q4
    assert quarter_of(date(2027, 3, 31)) == TargetPeriod(date(2027, 1, 1), "quarter")


@pytest.mark.parametrize(("value", "expected"), [
    (100, Status.MET),
    (140, Status.MET),
    (40, Status.ON_TRACK),    # 40 × 30 = 1200 ≥ 100 × 11 = 1100
    (37, Status.ON_TRACK),    # 1110 ≥ 1100
    (36, Status.BEHIND),      # 1080 < 1100
    (0, Status.BEHIND),
])
def test_progress_is_judged_against_the_days_elapsed(value: int, expected: Status) -> None:
    assert status(100, value, NOV, TODAY) is expected


def test_on_the_first_day_nothing_is_expected_yet_and_after_the_end_everything_is() -> None:
    assert status(100, 0, NOV, date(2026, 11, 1)) is Status.ON_TRACK
    assert status(100, 99, NOV, date(2026, 12, 1)) is Status.BEHIND
    assert status(100, 100, NOV, date(2027, 1, 1)) is Status.MET
    assert expected_by_now(100, NOV, TODAY) == 37          # 100 × 11 / 30 = 36.7, rounded up
    assert expected_by_now(920, Q4, TODAY) == 420          # 42 of 92 days: 920 × 42 / 92


@pytest.mark.parametrize(("typed", "period"), [
    ("tháng này", NOV), ("2026-11", NOV), ("11/2026", NOV), ("tháng 11", NOV),
    ("quý này", Q4), ("quý 4", Q4), ("Q4/2026", Q4), ("q4 2026", Q4), ("2026-Q4", Q4),
    ("quý 4 năm 2026", Q4),
    ("tháng sau", TargetPeriod(date(2026, 12, 1), "month")),
    ("quý sau", TargetPeriod(date(2027, 1, 1), "quarter")),
    ("last quarter", TargetPeriod(date(2026, 7, 1), "quarter")),
    ("quý 1", TargetPeriod(date(2027, 1, 1), "quarter")),  # typed in Q4: the coming one
])
def test_periods_as_people_type_them(typed: str, period: TargetPeriod) -> None:
    assert parse_target_period(typed, TODAY) == period


def test_a_week_or_a_day_is_not_a_target_period() -> None:
    assert parse_target_period("tuần này", TODAY) is None
    assert parse_target_period("hôm nay", TODAY) is None


@pytest.mark.parametrize(("args", "change"), [
    ("cks 200", TargetChange(NOV, "", 1, 200)),
    ("Vị Thủy cks 200", TargetChange(NOV, "Vị Thủy", 1, 200)),
    ("quý này Ấp 1 Vị Thủy chữ ký số 1.500", TargetChange(Q4, "Ấp 1 Vị Thủy", 1, 1500)),
    ("2026-12 tong 3000", TargetChange(TargetPeriod(date(2026, 12, 1), "month"), "", None,
                                       3000)),
    ("Vị Thủy vneid xóa", TargetChange(NOV, "Vị Thủy", 3, None)),
    ("Vị Thủy vneid 0", TargetChange(NOV, "Vị Thủy", 3, None)),
])
def test_target_arguments(args: str, change: TargetChange) -> None:
    assert parse_target_change(args, TODAY, CATEGORIES) == change


@pytest.mark.parametrize(("args", "problem"), [
    ("", "usage"), ("200", "usage"), ("Vị Thủy cks hai trăm", "bad_number"),
    ("Vị Thủy banh mi 20", "unknown_category"), ("cks 2000000", "too_large"),
])
def test_bad_target_arguments_are_named(args: str, problem: str) -> None:
    with pytest.raises(TargetInputError) as caught:
        parse_target_change(args, TODAY, CATEGORIES)
    assert caught.value.code == problem
