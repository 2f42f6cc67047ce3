"""Which months can be approved and which ones coordinators are reminded of."""

from __future__ import annotations

from datetime import date

from bot.core.approval import approval_reminders_due, default_month, is_over, months_to_remind
from bot.core.calendar import month


def test_only_a_month_that_is_over_can_be_approved() -> None:
    assert default_month(date(2026, 12, 1)) == month(2026, 11)
    assert is_over(month(2026, 11), date(2026, 12, 1))
    assert not is_over(month(2026, 11), date(2026, 11, 30))
    assert default_month(date(2027, 1, 5)) == month(2026, 12)


def test_reminders_look_at_the_last_three_months_in_the_first_two_weeks() -> None:
    assert months_to_remind(date(2027, 1, 5)) == [month(2026, 10), month(2026, 11),
                                                  month(2026, 12)]
    assert approval_reminders_due(date(2026, 12, 14))
    assert not approval_reminders_due(date(2026, 12, 15))
