"""Places and periods as SQL conditions on the roll-up tables (``migrations/0009_rollups.sql``).

The fast path of every figure. Which table answers a question depends on its shape:

* a whole ISO week or whole calendar months (one, or a quarter's three), per member or per
  team: ``member_week`` / ``member_month`` (one row per member who was active) — any province
  size, any history;
* any other run of days, or per category: ``member_day``, through an index on the member, the
  team or the commune and the day;
* totals of a commune: ``commune_day``; of the province: ``province_day``.

Each query touches only the rows of its place and period, never the whole history, and never
the raw ``sessions`` table (``tests/storage/test_query_plans.py`` holds them to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.core.calendar import month, week_of
from bot.core.permissions import Scope
from storage.repos.scope_sql import communes_in, sessions_in


@dataclass(frozen=True)
class MemberGrain:
    """The member roll-up covering a period exactly: ``FROM {table} r WHERE {where}``."""

    table: str
    where: str
    params: list[Any]


def member_grain(start: date, end: date, alias: str = "r") -> MemberGrain:
    """member_week for an ISO week, member_month for whole calendar months, else member_day.

    Whole months (a quarter) are named one by one (``IN``), not as a range: the key is (month,
    member_id), so each month is a seek and a member's row within it another — a quarter of a
    province then reads three months' rows instead of 92 days of per-day rows."""
    week, whole_month = week_of(start), month(start.year, start.month)
    if (start, end) == (week.start, week.end):
        return MemberGrain("member_week", f"{alias}.week = ?", [start.isoformat()])
    if (start, end) == (whole_month.start, whole_month.end):
        return MemberGrain("member_month", f"{alias}.month = ?", [start.isoformat()])
    firsts = _whole_months(start, end)
    if firsts:
        marks = ", ".join("?" * len(firsts))
        return MemberGrain("member_month", f"{alias}.month IN ({marks})",
                           [first.isoformat() for first in firsts])
    return MemberGrain("member_day", f"{alias}.day BETWEEN ? AND ?",
                       [start.isoformat(), end.isoformat()])


def day_rows(scope: Scope, alias: str = "r") -> tuple[str, str, list[Any]]:
    """The day roll-up that answers for a place, and the place as its condition:
    ``FROM {table} {alias} WHERE {where}``. A team's days from its members' days, a commune's
    from the communes' days, the province's from its own days (``province_day``: 7 rows a
    day, where the communes' are 168 × 7 in the largest province)."""
    if scope.team is not None:
        return "member_day", *sessions_in(scope, alias)
    if scope.commune is None and scope.province is not None:
        return "province_day", f"{alias}.province_code = ?", [scope.province]
    return "commune_day", *sessions_in(scope, alias)


def _whole_months(start: date, end: date) -> list[date]:
    """The first days of the months [start, end] covers exactly (a few at most), else []."""
    if start.day != 1 or end < start or (end - start).days > 366:
        return []
    firsts: list[date] = []
    first = start
    while first <= end:
        firsts.append(first)
        last = month(first.year, first.month).end
        if last >= end:
            return firsts if last == end else []
        first = last + timedelta(days=1)
    return []


def days(start: date, end: date, alias: str = "r") -> tuple[str, list[Any]]:
    return f"{alias}.day BETWEEN ? AND ?", [start.isoformat(), end.isoformat()]


def rollup_in(scope: Scope, alias: str = "r") -> tuple[str, list[Any]]:
    """Rows of ``member_day`` (or a table with ``team_id`` and ``commune_code``) in scope: the
    roll-ups carry the same place columns as the sessions they add up."""
    return sessions_in(scope, alias)


def per_team_sql(scope: Scope, start: date, end: date) -> tuple[str, list[object]]:
    """``SELECT team_id, sessions, citizens`` of the period, one row per team in scope."""
    if scope.team is not None:  # a team's own days: the team index, whatever the period
        period, dates = days(start, end)
        return (f"SELECT r.team_id, SUM(r.sessions) AS s, SUM(r.citizens) AS z"
                f" FROM member_day r WHERE r.team_id = ? AND {period} GROUP BY r.team_id",
                [scope.team, *dates])
    grain = member_grain(start, end)
    where, params = communes_in(scope, "r")
    return (f"SELECT r.team_id, SUM(r.sessions) AS s, SUM(r.citizens) AS z"
            f" FROM {grain.table} r WHERE {where} AND {grain.where} GROUP BY r.team_id",
            [*params, *grain.params])


def team_totals_sql(scope: Scope, start: date, end: date) -> tuple[str, list[object]]:
    """:func:`per_team_sql` for completeness: a run of days that is not a whole week or months
    is read from ``team_day`` (migrations/0018), one row per team and day, rather than
    ``member_day``'s row per member, day and category — a province's month so far at 20
    million sessions is ~4× fewer rows."""
    grain = member_grain(start, end)
    if grain.table != "member_day":
        return per_team_sql(scope, start, end)
    period, dates = days(start, end)
    where, params = rollup_in(scope)
    return (f"SELECT r.team_id, SUM(r.sessions) AS s, SUM(r.citizens) AS z"
            f" FROM team_day r WHERE {where} AND {period} GROUP BY r.team_id",
            [*params, *dates])
