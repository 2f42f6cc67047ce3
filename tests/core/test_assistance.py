"""Pure rules of logging: masking, dates, numbers, the quick form."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.assistance import (
    Limits,
    Problem,
    check_day,
    mask_personal_numbers,
    parse_citizens,
    parse_day,
)
from bot.core.models import Category
from bot.core.quick_form import parse_quick

TODAY = date(2026, 11, 23)
CATEGORIES = [
    Category(id=1, code="cks", label_vi="Chữ ký số công cộng", label_en="Public digital signature",
             emoji="", aliases=("chữ ký số", "ky so"), position=1, active=True),
    Category(id=2, code="dvc", label_vi="Dịch vụ công trực tuyến",
             label_en="Online public services", emoji="", aliases=("dịch vụ công",), position=2,
             active=True),
    Category(id=3, code="ttkdtm", label_vi="Thanh toán không dùng tiền mặt",
             label_en="Cashless payment", emoji="", aliases=("qr", "thanh toán"), position=3,
             active=True),
]


@pytest.mark.parametrize(("note", "stored"), [
    ("CCCD 079123456789", "CCCD ***"),                     # 12-digit citizen ID
    ("CMND 123456789 cũ", "CMND *** cũ"),                  # 9-digit old ID
    ("gọi 0912 345 678 nhé", "gọi *** nhé"),               # phone with spaces
    ("sđt 0912.345.678", "sđt ***"),                       # phone with dots
    ("+84 912-345-678", "***"),                            # international
    ("mã 079-123-456-789", "mã ***"),
    ("3 người, ngày 20/11/2026, phòng 12", "3 người, ngày 20/11/2026, phòng 12"),  # kept
    ("mã hồ sơ 12345678", "mã hồ sơ 12345678"),            # 8 digits: not an ID or a phone
])
def test_personal_numbers_are_masked(note: str, stored: str) -> None:
    result = mask_personal_numbers(note)
    assert result.text == stored
    assert result.masked is (stored != note)


@pytest.mark.parametrize(("typed", "expected"), [
    ("20/11", date(2026, 11, 20)),
    ("20-11-2026", date(2026, 11, 20)),
    ("5.1.27", date(2027, 1, 5)),
    ("30/11", date(2026, 11, 30)),        # the nearest 30/11: later this month (then refused)
    ("31/02", None),
    ("hôm qua", None),
])
def test_dates_as_members_type_them(typed: str, expected: date | None) -> None:
    assert parse_day(typed, TODAY) == expected


def test_late_december_typed_in_january_is_last_year() -> None:
    assert parse_day("28/12", date(2027, 1, 2)) == date(2026, 12, 28)


def test_day_and_count_limits() -> None:
    limits = Limits(max_citizens=500, max_age_days=31)
    assert check_day(TODAY, TODAY, limits) is None
    assert check_day(date(2026, 11, 24), TODAY, limits) is Problem.DATE_IN_FUTURE
    assert check_day(date(2026, 10, 23), TODAY, limits) is None
    assert check_day(date(2026, 10, 22), TODAY, limits) is Problem.DATE_TOO_OLD
    assert parse_citizens("500", limits) == 500
    assert parse_citizens("501", limits) is Problem.CITIZENS_OUT_OF_RANGE
    assert parse_citizens("0", limits) is Problem.CITIZENS_OUT_OF_RANGE
    assert parse_citizens("3,5", limits) is Problem.CITIZENS_NOT_A_NUMBER


@pytest.mark.parametrize(("text", "code", "count", "note"), [
    ("3 chu ky so", "cks", 3, ""),
    ("chữ ký số 3", "cks", 3, ""),
    ("cks 3 họp chợ sáng", "cks", 3, "họp chợ sáng"),
    ("5 CHU KI SO", "cks", 5, ""),                       # a typo
    ("2 dich vu con nop ho so", "dvc", 2, "nop ho so"),  # a typo in a longer alias
    ("4 qr", "ttkdtm", 4, ""),
    ("hello 3", None, 3, "hello"),
])
def test_the_quick_form(text: str, code: str | None, count: int, note: str) -> None:
    parsed = parse_quick(text, CATEGORIES, TODAY)
    assert (parsed.category.code if parsed.category else None) == code
    assert parsed.citizens == count
    assert parsed.note == note


def test_the_quick_form_understands_days() -> None:
    assert parse_quick("3 cks hom qua", CATEGORIES, TODAY).day == date(2026, 11, 22)
    assert parse_quick("3 cks 20/11", CATEGORIES, TODAY).day == date(2026, 11, 20)
    assert parse_quick("3 cks", CATEGORIES, TODAY).day is None
