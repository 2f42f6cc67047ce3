"""Periods as coordinators type them, relative to a given day."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.calendar import Period, from_code, parse_period, split_period

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("11/2026", date(2026, 11, 1), date(2026, 11, 30)),
    ("tháng 10/2026", date(2026, 10, 1), date(2026, 10, 31)),
    ("Tháng này", date(2026, 11, 1), date(2026, 11, 30)),
    ("thang truoc", date(2026, 10, 1), date(2026, 10, 31)),
    ("this month", date(2026, 11, 1), date(2026, 11, 30)),
    ("last month", date(2026, 10, 1), date(2026, 10, 31)),
    ("tuần này", date(2026, 11, 23), date(2026, 11, 29)),
    ("tuần trước", date(2026, 11, 16), date(2026, 11, 22)),
    ("tháng 12", date(2025, 12, 1), date(2025, 12, 31)),  # December just gone
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("1/11-15/11", date(2026, 11, 1), date(2026, 11, 15)),
    ("01/11/2026 - 15/11/2026", date(2026, 11, 1), date(2026, 11, 15)),
    ("2026-11-01..2026-11-15", date(2026, 11, 1), date(2026, 11, 15)),
    ("từ 1/11 đến 10/11", date(2026, 11, 1), date(2026, 11, 10)),
    ("hôm nay", TODAY, TODAY),
    ("năm nay", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_phrases(text: str, start: date, end: date) -> None:
    period = parse_period(text, TODAY)
    assert period is not None, text
    assert (period.start, period.end) == (start, end)
    assert from_code(period.code) == period  # buttons carry the code and get the same back


@pytest.mark.parametrize("text", ["", "Vị Thủy", "2026-13", "31/02/2026", "15/11-1/11",
                                  "1/1/2025-1/1/2027"])
def test_not_periods(text: str) -> None:
    assert parse_period(text, TODAY) is None


def test_a_period_then_a_place() -> None:
    period, rest = split_period("tháng trước Xã Vị Thủy", TODAY)
    assert period == Period(date(2026, 10, 1), date(2026, 10, 31), "month")
    assert rest == "Xã Vị Thủy"
    assert split_period("Vị Thủy", TODAY) == (None, "Vị Thủy")


def test_labels_and_months() -> None:
    period = parse_period("28/10-3/11", TODAY)
    assert period is not None
    assert period.months() == [date(2026, 10, 1), date(2026, 11, 1)]
    assert parse_period("2026-11", TODAY).label("vi") == "tháng 11/2026"  # type: ignore[union-attr]
    assert parse_period("2026-11", TODAY).label("en") == "11/2026"  # type: ignore[union-attr]
