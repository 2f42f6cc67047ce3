"""The calendar: the local day, weeks and their keys, months, and periods as people type them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.calendar import (
    Period,
    end_of_week,
    from_code,
    iso_week_key,
    last_month,
    last_week,
    local_now,
    local_today,
    month,
    parse_period,
    parse_week_key,
    parse_week_number,
    split_period,
    this_month,
    this_week,
    week_of,
    week_start,
)

TODAY = date(2026, 11, 25)  # a Wednesday
VN = ZoneInfo("Asia/Ho_Chi_Minh")


# --- the local day ------------------------------------------------------------------------------

def test_the_local_day_turns_at_midnight_in_vietnam_not_in_utc() -> None:
    # 16:59:59 UTC is 23:59:59 in Vietnam (UTC+7 all year, no daylight saving); 17:00 is midnight.
    before = datetime(2026, 11, 22, 16, 59, 59, tzinfo=UTC)
    after = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
    assert local_today(before, VN) == date(2026, 11, 22)
    assert local_today(after, VN) == date(2026, 11, 23)
    assert local_now(after, VN) == datetime(2026, 11, 23, 0, 0, tzinfo=VN)
    assert local_now(after, VN).hour == 0
    # The same instants a year on, in (northern) summer: still seven hours ahead.
    assert local_today(datetime(2027, 6, 30, 16, 59, tzinfo=UTC), VN) == date(2027, 6, 30)
    assert local_today(datetime(2027, 6, 30, 17, 0, tzinfo=UTC), VN) == date(2027, 7, 1)


def test_a_sunday_night_in_vietnam_is_already_next_week() -> None:
    sunday_evening_utc = datetime(2026, 11, 29, 17, 30, tzinfo=UTC)  # Monday 00:30 in Vietnam
    assert week_start(local_today(sunday_evening_utc, VN)) == date(2026, 11, 30)


# --- weeks --------------------------------------------------------------------------------------

def test_weeks_run_monday_to_sunday() -> None:
    assert week_of(date(2026, 11, 26)) == Period(date(2026, 11, 23), date(2026, 11, 29), "week")
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)   # a Monday is its own start
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)   # Sunday ends the week
    assert this_week(TODAY) == week_of(TODAY)
    assert last_week(TODAY) == Period(date(2026, 11, 16), date(2026, 11, 22), "week")
    # A week across the new year belongs to neither month.
    assert week_of(date(2027, 1, 1)) == Period(date(2026, 12, 28), date(2027, 1, 3), "week")
    assert last_week(date(2027, 1, 5)) == week_of(date(2026, 12, 31))


def test_week_keys_follow_iso_weeks() -> None:
    assert iso_week_key(date(2026, 11, 23)) == "2026-W48"
    assert iso_week_key(date(2027, 1, 1)) == "2026-W53"


def test_week_keys_across_the_new_year() -> None:
    # 2026 has 53 ISO weeks: its last one runs 28/12/2026–3/1/2027.
    assert iso_week_key(date(2026, 12, 28)) == "2026-W53"
    assert iso_week_key(date(2027, 1, 3)) == "2026-W53"
    assert iso_week_key(date(2027, 1, 4)) == "2027-W01"
    assert parse_week_key("2026-W53") == date(2026, 12, 28)
    assert parse_week_key("2027-W01") == date(2027, 1, 4)
    # 2025 has 52: 29/12/2025 already opens 2026's first week.
    assert iso_week_key(date(2025, 12, 29)) == "2026-W01"
    assert parse_week_key("2026-W01") == date(2025, 12, 29)
    for monday in (date(2026, 11, 23), date(2026, 12, 28), date(2027, 1, 4)):
        assert parse_week_key(iso_week_key(monday)) == monday


@pytest.mark.parametrize(("key", "why"), [
    ("2026-W54", "Invalid week"), ("2027-W53", "Invalid week"),  # 2027 has 52 weeks
    ("2026-48", "unpack"), ("W48", "unpack"), ("", "unpack"),
])
def test_a_week_key_that_names_no_week_is_refused(key: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_week_key(key)


def test_a_week_ends_at_the_next_local_monday_midnight() -> None:
    wednesday = datetime(2026, 11, 25, 9, 0, tzinfo=VN)
    assert end_of_week(wednesday, VN) == datetime(2026, 11, 30, 0, 0, tzinfo=VN)
    assert end_of_week(wednesday, VN).tzinfo == UTC
    # 23:59 on Sunday in Vietnam is 16:59 UTC on Sunday: the week still ends that night.
    sunday_late = datetime(2026, 11, 29, 16, 59, tzinfo=UTC)
    assert end_of_week(sunday_late, VN) == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "today", "monday"), [
    ("tuần 46", TODAY, date(2026, 11, 9)),
    ("week 46", TODAY, date(2026, 11, 9)),
    ("w46", TODAY, date(2026, 11, 9)),
    ("2026-W46", TODAY, date(2026, 11, 9)),
    ("2025 tuần 46", TODAY, date(2025, 11, 10)),
    ("tuần 48", TODAY, date(2026, 11, 23)),              # this week
    ("tuần 52", date(2027, 1, 6), date(2026, 12, 21)),   # typed in January: the one just gone
    ("tuần 1", date(2027, 1, 6), date(2027, 1, 4)),
])
def test_week_numbers(text: str, today: date, monday: date) -> None:
    assert parse_week_number(text, today) == week_of(monday)


def test_what_is_not_a_week_number() -> None:
    assert parse_week_number("tuần này", TODAY) is None
    assert parse_week_number("9/11", TODAY) is None
    with pytest.raises(ValueError, match="Invalid week"):
        parse_week_number("tuần 54", TODAY)


# --- months -------------------------------------------------------------------------------------

def test_months() -> None:
    assert this_month(date(2026, 2, 10)) == Period(date(2026, 2, 1), date(2026, 2, 28), "month")
    assert month(2028, 2).end == date(2028, 2, 29)
    assert month(2026, 12) == Period(date(2026, 12, 1), date(2026, 12, 31), "month")
    assert last_month(date(2027, 1, 15)) == month(2026, 12)
    assert last_month(date(2026, 3, 31)) == month(2026, 2)


def test_a_period_across_december_touches_both_years() -> None:
    period = parse_period("15/12/2026-15/1/2027", TODAY)
    assert period is not None
    assert period.months() == [date(2026, 12, 1), date(2027, 1, 1)]


# --- the digest's period: a week, or this week so far -------------------------------------------

def test_this_week_so_far() -> None:
    week = this_week(TODAY)
    so_far = week.so_far(TODAY)
    assert so_far == Period(date(2026, 11, 23), TODAY, "week")
    assert so_far.partial
    assert not week.partial
    assert (so_far.days, week.days) == (3, 7)
    # The same days one week earlier: Monday to Wednesday, a fair comparison.
    assert so_far.week_before() == Period(date(2026, 11, 16), date(2026, 11, 18), "week")
    assert week.week_before() == last_week(TODAY)
    # A past week is whole however late it is asked for.
    assert last_week(TODAY).so_far(TODAY) == last_week(TODAY)
    assert not last_week(TODAY).partial
    # A button names the whole week.
    assert from_code(so_far.code) == week


def test_partial_months_and_whole_days() -> None:
    assert this_month(TODAY).so_far(TODAY).partial
    assert not this_month(TODAY).partial
    assert not Period(TODAY, TODAY, "day").partial
    assert not Period(date(2026, 11, 1), date(2026, 11, 15), "range").partial


# --- periods as people type them ----------------------------------------------------------------

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


@pytest.mark.parametrize(("text", "expected"), [
    ("tháng 12", month(2026, 12)),          # typed in January: the December just gone
    ("tháng 1", month(2027, 1)),            # this January
    ("tháng trước", month(2026, 12)),
    ("tuần trước", week_of(date(2026, 12, 21))),  # 2/1/2027 is in the week of 28/12
    ("năm ngoái", Period(date(2026, 1, 1), date(2026, 12, 31), "year")),
    ("hôm qua", Period(date(2027, 1, 1), date(2027, 1, 1), "day")),
    ("28/12-3/1", None),                    # no year: both in 2027, so the end comes first
    ("28/12/2026-3/1/2027", Period(date(2026, 12, 28), date(2027, 1, 3), "range")),
])
def test_phrases_typed_in_january(text: str, expected: Period | None) -> None:
    assert parse_period(text, date(2027, 1, 2)) == expected


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
    assert parse_period("2026-11", TODAY).label("en") == "Nov 2026"  # type: ignore[union-attr]
    # English never writes a day as 09/11 (11 September, or 9 November?).
    assert week_of(date(2026, 11, 9)).label("en") == "week 9–15 Nov 2026"
    assert week_of(date(2026, 11, 30)).label("en") == "week 30 Nov–6 Dec 2026"
    assert week_of(date(2026, 12, 28)).label("en") == "week 28 Dec 2026–3 Jan 2027"
    assert week_of(date(2026, 11, 9)).label("vi") == "tuần 09/11–15/11/2026"
    assert period.label("en") == "28 Oct–3 Nov 2026"


def test_codes_round_trip_and_refuse_nonsense() -> None:
    for period in (week_of(date(2027, 1, 1)), month(2026, 12), parse_period("năm nay", TODAY),
                   Period(TODAY, TODAY, "day")):
        assert period is not None
        assert from_code(period.code) == period
    assert from_code("m2026-13") is None
    assert from_code("r20261115-20261101") is None   # ends before it starts
    assert from_code("x2026") is None
