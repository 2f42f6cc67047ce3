"""The dashboard's pure rules: periods in URLs, their neighbours, the login limiter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.web_access import (
    LoginLimiter,
    device_label,
    last_months,
    last_weeks,
    neighbours,
    parse_period,
)

TODAY = date(2026, 11, 23)


def test_a_url_names_a_week_a_month_or_a_quarter_never_the_future() -> None:
    assert parse_period(None, TODAY).code == "m2026-11"
    month = parse_period("m2026-10", TODAY)
    assert month is not None
    assert (month.start, month.end, month.label("vi")) == (
        date(2026, 10, 1), date(2026, 10, 31), "tháng 10/2026")
    quarter = parse_period("q2026-4", TODAY)
    assert quarter is not None
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert (quarter.label("vi"), quarter.label("en")) == ("quý 4/2026", "Q4/2026")
    week = parse_period("w2026-11-16", TODAY)
    assert week is not None
    assert week.end == date(2026, 11, 22)
    for bad in ("m2026-12", "q2027-1", "m2026-13", "q2026-5", "w2026-02-30", "x", "m2026-1",
                "r20261101-20261130", "m2026-11; DROP"):
        assert parse_period(bad, TODAY) is None, bad


def test_stepping_between_periods_stops_at_today() -> None:
    month = parse_period("m2026-11", TODAY)
    assert month is not None
    before, after = neighbours(month, TODAY)
    assert before.code == "m2026-10"
    assert after is None
    quarter = parse_period("q2026-1", TODAY)
    assert quarter is not None
    before, after = neighbours(quarter, TODAY)
    assert (before.code, after.code if after else None) == ("q2025-4", "q2026-2")
    week = parse_period("w2026-11-16", TODAY)
    assert week is not None
    before, after = neighbours(week, TODAY)
    assert (before.code, after.code if after else None) == ("w2026-11-09", "w2026-11-23")


def test_twelve_weeks_and_twelve_months_end_with_the_current_one() -> None:
    weeks = last_weeks(TODAY)
    assert len(weeks) == 12
    assert weeks[-1].start == date(2026, 11, 23)
    assert weeks[0].start == date(2026, 9, 7)
    months = last_months(TODAY)
    assert [m.code for m in (months[0], months[-1])] == ["m2025-12", "m2026-11"]


def test_the_login_limiter_lets_ten_a_minute_through_per_address() -> None:
    limiter = LoginLimiter()
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert all(limiter.allow("10.0.0.1", now) for _ in range(10))
    assert not limiter.allow("10.0.0.1", now)
    assert limiter.allow("10.0.0.2", now)
    assert limiter.allow("10.0.0.1", now + timedelta(minutes=1))


def test_a_session_is_told_apart_by_browser_and_system_only() -> None:
    phone = ("Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko)"
             " Chrome/119.0 Mobile Safari/537.36")
    assert device_label(phone) == "Chrome / Android"
    assert device_label("") == "? / ?"
