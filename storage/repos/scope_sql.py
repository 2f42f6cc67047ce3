"""A place in the hierarchy (:class:`bot.core.permissions.Scope`) as an SQL condition.

Shared by every repository that filters by place, so "a commune" means the same thing in a
digest, an export, a search and a broadcast.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.core.permissions import Scope


def sessions_in(scope: Scope, alias: str = "s") -> tuple[str, list[Any]]:
    """Sessions logged in the scope (where the member was when they logged it)."""
    if scope.team is not None:
        return f"{alias}.team_id = ?", [scope.team]
    return communes_in(scope, alias)


def communes_in(scope: Scope, alias: str) -> tuple[str, list[Any]]:
    """Rows with a ``commune_code`` in the scope's commune or province (a team scope: its
    commune; sessions and the roll-ups carry the commune, the team's own filter is above)."""
    if scope.commune is not None:
        return f"{alias}.commune_code = ?", [scope.commune]
    if scope.province is not None:
        return (f"{alias}.commune_code IN (SELECT code FROM communes WHERE province_code = ?)",
                [scope.province])
    return "1", []


def teams_in(scope: Scope) -> tuple[str, list[Any]]:
    """Teams in the scope; the query joins ``teams t`` and ``communes c``."""
    if scope.team is not None:
        return "t.id = ?", [scope.team]
    if scope.commune is not None:
        return "t.commune_code = ?", [scope.commune]
    if scope.province is not None:
        return "c.province_code = ?", [scope.province]
    return "1", []


def teams_in_any(scopes: Sequence[Scope]) -> tuple[str, list[Any]]:
    """Teams in any of the scopes (a person may hold several grants)."""
    clauses, params = [], []
    for scope in scopes:
        where, extra = teams_in(scope)
        clauses.append(f"({where})")
        params += extra
    return " OR ".join(clauses) or "0", params


# --- the registry as it was (migrations/0013_history.sql) --------------------------------------

def member_then(start: date, end: date, alias: str = "ms") -> tuple[str, list[Any]]:
    """Membership period ``alias`` (a row of ``memberships``) overlaps the days [start, end]."""
    return (f"{alias}.since_day <= ? AND ({alias}.until_day IS NULL OR {alias}.until_day >= ?)",
            [end.isoformat(), start.isoformat()])


def team_then(start: date, end: date, team: str = "t.id") -> tuple[str, list[Any]]:
    """The team (its id column ``team``) existed on some day of [start, end]."""
    return ("EXISTS (SELECT 1 FROM team_spans sp WHERE sp.team_id = " + team
            + " AND sp.since_day <= ? AND (sp.until_day IS NULL OR sp.until_day >= ?))",
            [end.isoformat(), start.isoformat()])
