"""Monthly approval: which months can be approved, what an approval shows, which months to
remind coordinators of. Pure: dates in, answers out; ``today`` is passed in.

A commune coordinator approves their commune's month once it is over; the province
coordinator approves the province's once every commune with teams has approved theirs. An
approved commune-month is locked (storage refuses any change of its sessions) until a province
coordinator or an admin reopens it with a reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from bot.core.calendar import Period, last_month


def default_month(today: date) -> Period:
    """What /approve approves when no month is named: the month before this one."""
    return last_month(today)


def is_over(month: Period, today: date) -> bool:
    """Only a month that has ended can be approved (its figures can still grow before)."""
    return month.end < today


@dataclass(frozen=True)
class MonthSummary:
    """What the approver sees and what is stored with the approval."""

    sessions: int
    citizens: int
    teams_expected: int
    teams_reported: int
    open_flags: int
    allowance: int | None          # the allowance total in đồng; None without a rule
    on_time: int                   # sessions logged within ON_TIME_DAYS of their date

    def as_dict(self) -> dict[str, int | None]:
        return asdict(self)


def months_to_remind(today: date, lookback: int = 3) -> list[Period]:
    """The last ``lookback`` months that are over, oldest first: what coordinators are reminded
    to approve (older months are the province's business by then)."""
    found: list[Period] = []
    day = today
    for _ in range(lookback):
        previous = last_month(day)
        found.append(previous)
        day = previous.start
    return found[::-1]


#: Approvals are due in the first days of a month: reminders go out with the weekly reminders
#: of its first two weeks only, so a coordinator is not nagged all month long.
REMIND_UNTIL_DAY = 14


def approval_reminders_due(today: date) -> bool:
    return today.day <= REMIND_UNTIL_DAY
