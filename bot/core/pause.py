"""Pausing reminders: "/pause 2w" while on leave, "/resume" on return.

A pause is a last day (inclusive): the member gets no reminder while ``today <= until``, and
their team leader sees them as paused rather than silent. Pure: ``today`` is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from bot.core import calendar as periods
from bot.core.permissions import PERMISSIONS, Action, Grant, Scope
from bot.core.roles import Role
from bot.core.text import fold

#: Longer than a quarter is not a pause; the coordinator should deactivate the member instead.
MAX_DAYS = 92

_UNITS = {
    "d": 1, "day": 1, "days": 1, "ngay": 1,
    "w": 7, "wk": 7, "week": 7, "weeks": 7, "tuan": 7,
    "m": 30, "month": 30, "months": 30, "thang": 30,
}
_LENGTH = re.compile(r"^(\d{1,3})\s*([a-z]+)$")
_UNTIL = re.compile(r"^(?:den|toi|until|till|to|den het|through)\s+(.+)$")


class PauseInputError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def is_paused(until: date | None, today: date) -> bool:
    return until is not None and today <= until


def parse_pause(text: str, today: date) -> date:
    """The last day of the pause: "2w"/"2 tuần" (14 days from today), "10 ngày", "1 tháng",
    "đến 15/12" / "until 2026-12-15" / "15/12" (that day included)."""
    words = fold(text).strip(" .,")
    if not words:
        raise PauseInputError("usage")
    if match := _LENGTH.match(words):
        unit = _UNITS.get(match[2])
        if unit is None:
            raise PauseInputError("usage")
        days = int(match[1]) * unit
        if days < 1:
            raise PauseInputError("usage")
        if days > MAX_DAYS:
            raise PauseInputError("too_long")
        return today + timedelta(days=days - 1)
    if match := _UNTIL.match(words):
        words = match[1]
    found = periods.parse_period(words, today)
    if found is None or found.kind != "day":
        raise PauseInputError("usage")
    until = found.start
    if until < today and words.count("/") + words.count(".") == 1:
        try:  # "5/1" typed in December: the coming January (if that is not too far)
            coming = until.replace(year=until.year + 1)
        except ValueError:  # 29/2, with no such day next year
            coming = until
        if (coming - today).days < MAX_DAYS:
            until = coming
    if until < today:
        raise PauseInputError("in_past")
    if (until - today).days + 1 > MAX_DAYS:
        raise PauseInputError("too_long")
    return until


def may_pause_member(actor: Iterable[Grant], actor_id: int, target_id: int,
                     target_team: Scope | None, target_role: Role) -> bool:
    """Whether ``actor`` may pause or resume another person's reminders.

    A team leader for their team, a commune coordinator for their commune (and the province's
    coordinators and admins, whose grants hold those): always someone of a lower role than the
    grant that allows it, so a leader never pauses a fellow leader, nor a coordinator who is a
    member of their team. One's own pause is ``/pause`` itself; someone outside every team has
    no team leader to see them silent, so there is nothing to pause for.
    """
    if actor_id == target_id or target_team is None:
        return False
    return any(Action.PAUSE_MEMBER in PERMISSIONS[g.role] and g.scope.contains(target_team)
               and g.role.rank > target_role.rank for g in actor)
