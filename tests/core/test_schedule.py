"""The pure rules: due times, quiet hours, reminder selection, digest arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.app.sender import classify
from bot.core.calendar import week_of
from bot.core.chat import Button, ChannelError, Failure, OutFile, OutMessage
from bot.core.digest import (
    CommuneDigest,
    Figure,
    change,
    commune_text,
    falling_behind,
    period_label,
)
from bot.core.schedule import (
    DEFAULT_DIGEST,
    DEFAULT_QUIET,
    QuietHours,
    ScheduleInputError,
    Weekly,
    after_quiet_hours,
    digest_week,
    due_this_week,
    latest_due,
    next_due,
    parse_change,
    reminder_week,
)
from handlers.kit.outbox import decode, encode
from locales import translator

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def test_due_times_in_vietnam_time() -> None:
    assert latest_due(DEFAULT_DIGEST, vn("2026-11-23 07:30"), VN) == vn("2026-11-23 07:30")
    assert latest_due(DEFAULT_DIGEST, vn("2026-11-23 07:29"), VN) == vn("2026-11-16 07:30")
    assert next_due(DEFAULT_DIGEST, vn("2026-11-23 07:30"), VN) == vn("2026-11-30 07:30")
    assert latest_due(DEFAULT_DIGEST, vn("2026-11-23 07:30"), VN).tzinfo == UTC
    assert digest_week(vn("2026-11-23 07:30"), VN) == week_of(date(2026, 11, 16))
    assert reminder_week(vn("2026-11-27 16:00"), VN) == week_of(date(2026, 11, 23))


def test_catch_up_only_within_the_same_week() -> None:
    assert due_this_week(DEFAULT_DIGEST, vn("2026-11-29 23:59"), VN) == vn("2026-11-23 07:30")
    assert due_this_week(DEFAULT_DIGEST, vn("2026-11-30 07:00"), VN) is None
    sunday = Weekly(7, time(20, 0))
    assert due_this_week(sunday, vn("2026-11-30 10:00"), VN) is None


@pytest.mark.parametrize(("moment", "expected"), [
    ("2026-11-27 20:59", "2026-11-27 20:59"),
    ("2026-11-27 21:00", "2026-11-28 07:00"),
    ("2026-11-28 02:00", "2026-11-28 07:00"),
    ("2026-11-28 07:00", "2026-11-28 07:00"),
])
def test_quiet_hours_wrap_midnight(moment: str, expected: str) -> None:
    assert after_quiet_hours(vn(moment), DEFAULT_QUIET, VN) == vn(expected)


def test_quiet_hours_off_and_daytime() -> None:
    assert not QuietHours(time(0), time(0)).contains(time(3))
    lunch = QuietHours(time(11, 30), time(13, 0))
    assert lunch.contains(time(12))
    assert not lunch.contains(time(13))


@pytest.mark.parametrize(("args", "problem"), [
    ("", "usage"), ("digest", "need_day_time"), ("digest xyz 07:30", "bad_day"),
    ("reminder fri 25:00", "bad_time"), ("quiet 21:00", "bad_quiet"), ("lunch mon 1", "usage"),
])
def test_schedule_input_errors(args: str, problem: str) -> None:
    with pytest.raises(ScheduleInputError) as caught:
        parse_change(args)
    assert caught.value.code == problem


def test_schedule_input_in_either_language() -> None:
    assert parse_change("digest mon 07:30").weekly == Weekly(1, time(7, 30))
    assert parse_change("reminder Thứ 6 16h").weekly == Weekly(5, time(16, 0))
    assert parse_change("reminder cn 9").weekly == Weekly(7, time(9, 0))
    assert parse_change("quiet 22:00 - 06:30").quiet == QuietHours(time(22), time(6, 30))
    assert parse_change("quiet off").quiet == QuietHours(time(0), time(0))


def test_change_and_falling_behind() -> None:
    t = translator()
    assert change(t, "en", 12, 10) == "▲ 2 (+20%)"
    assert change(t, "vi", 1000, 2000) == "▼ 1.000 (−50%)"
    assert change(t, "en", 5, 0) == "▲ 5"
    assert change(t, "en", 3, 3) == "no change"
    assert falling_behind(4, 10.0)
    assert not falling_behind(6, 10.0)
    assert not falling_behind(0, 2.0)   # a quiet commune is not behind its own zero


def test_a_week_still_running_is_told_as_so_far() -> None:
    t = translator()
    week = week_of(date(2026, 11, 23))
    assert period_label(t, "vi", week.so_far(date(2026, 11, 25))) == "tuần này, đến 25/11/2026"
    assert period_label(t, "vi", week) == "tuần 23/11/2026–29/11/2026"
    assert period_label(t, "vi", week.so_far(date(2026, 12, 1))) == "tuần 23/11/2026–29/11/2026"


def test_commune_text_fits_a_screen_and_names_stale_teams() -> None:
    t = translator()
    digest = CommuneDigest(
        place="Xã Vị Thủy", period=week_of(date(2026, 11, 16)),
        today=date(2026, 11, 23),
        categories=(Figure("Chữ ký số", 10, 8, emoji="✍️"), Figure("Khác", 0, 0)),
        teams=(Figure("Ấp 1", 7, last_date=date(2026, 11, 20)),
               Figure("Ấp 2", 3, last_date=date(2026, 11, 16)),
               Figure("Ấp 3", 0, last_date=date(2026, 11, 2))),
    )
    text = commune_text(t, "vi", digest)
    assert "Người dân được hỗ trợ: 10" in text
    assert "▲ 2 (+25%)" in text
    assert "Khác" not in text                      # an empty category is not listed
    assert "Dẫn đầu: Ấp 1 (7), Ấp 2 (3)" in text
    assert "14 ngày chưa ghi nhận: Ấp 3" in text
    assert len(text) < 1024


def test_outbox_payload_round_trip() -> None:
    message = OutMessage(text="x", buttons=((Button("Log", "log:start"),),),
                         photo=OutFile("d.png", b"\x89PNG", "image/png"))
    payload, attachment = encode(message)
    assert attachment == b"\x89PNG"
    assert decode(payload, attachment) == message


def test_errors_are_classified() -> None:
    """A port's own error says what it means; the rest is sorted by the sender (the channels'
    translations are tested in tests/channels/test_channel_errors.py)."""
    limited = ChannelError(Failure.RATE_LIMITED, "slow down", wait=3)
    assert classify(limited) is limited
    assert classify(ConnectionError("reset")).failure is Failure.TRANSIENT
    assert classify(TimeoutError()).failure is Failure.TRANSIENT
    assert classify(ValueError("bug")).failure is Failure.FINAL


def test_charts_are_small_deterministic_pngs() -> None:
    from handlers.render.charts import commune_chart

    t = translator()
    digest = CommuneDigest(place="Xã Vị Thủy", period=week_of(date(2026, 11, 16)),
                           today=date(2026, 11, 23),
                           categories=(Figure("Chữ ký số công cộng", 10, 8),), teams=())
    first, second = commune_chart(t, "vi", digest), commune_chart(t, "vi", digest)
    assert first == second
    assert first.startswith(b"\x89PNG")
    assert len(first) < 150_000
