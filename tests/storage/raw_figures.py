"""Every figure recomputed the slow way, straight from the raw ``sessions`` rows.

The oracle of the property test: these are the queries the bot ran before the roll-ups
(storage/repos/activity.py and the export's tallies as they were), kept here so the fast path
is always compared with the plain definition of each figure.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import aiosqlite

from bot.core.permissions import Scope
from storage.repos.scope_sql import sessions_in, teams_in


async def rows(conn: aiosqlite.Connection, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await conn.execute_fetchall(sql, params)]


async def by_category(conn: aiosqlite.Connection, scope: Scope, start: date,
                      end: date) -> dict[int, tuple[int, int]]:
    where, params = sessions_in(scope)
    found = await rows(
        conn,
        f"SELECT s.category_id, COUNT(*), SUM(s.citizens) FROM sessions s WHERE {where}"
        " AND s.deleted_at IS NULL AND s.session_date BETWEEN ? AND ? GROUP BY s.category_id",
        [*params, start.isoformat(), end.isoformat()])
    return {r[0]: (r[1], r[2]) for r in found}


async def by_team(conn: aiosqlite.Connection, scope: Scope, start: date,
                  end: date) -> list[tuple[Any, ...]]:
    where, params = teams_in(scope)
    return await rows(
        conn,
        "SELECT t.id, COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN 1 END), 0),"
        " COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN s.citizens END), 0),"
        " MAX(s.session_date) FROM teams t JOIN communes c ON c.code = t.commune_code"
        " LEFT JOIN sessions s ON s.team_id = t.id AND s.deleted_at IS NULL"
        f" WHERE t.active AND {where} GROUP BY t.id ORDER BY c.name_key, t.name_key",
        [start.isoformat(), end.isoformat(), start.isoformat(), end.isoformat(), *params])


async def by_commune(conn: aiosqlite.Connection, province: str, start: date,
                     end: date) -> list[tuple[Any, ...]]:
    return await rows(
        conn,
        "SELECT c.code, COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN 1 END), 0),"
        " COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN s.citizens END), 0),"
        " MAX(s.session_date) FROM communes c LEFT JOIN sessions s"
        " ON s.commune_code = c.code AND s.deleted_at IS NULL WHERE c.province_code = ?"
        " AND EXISTS (SELECT 1 FROM teams t WHERE t.commune_code = c.code AND t.active)"
        " GROUP BY c.code ORDER BY c.name_key",
        [start.isoformat(), end.isoformat(), start.isoformat(), end.isoformat(), province])


async def by_member(conn: aiosqlite.Connection, scope: Scope, start: date,
                    end: date) -> list[tuple[Any, ...]]:
    where, params = teams_in(scope)
    return await rows(
        conn,
        "SELECT m.id, COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN 1 END), 0),"
        " COALESCE(SUM(CASE WHEN s.session_date BETWEEN ? AND ? THEN s.citizens END), 0),"
        " MAX(s.session_date) FROM members m JOIN teams t ON t.id = m.team_id"
        " JOIN communes c ON c.code = t.commune_code"
        " LEFT JOIN sessions s ON s.member_id = m.id AND s.deleted_at IS NULL"
        f" WHERE m.active AND {where} GROUP BY m.id"
        " ORDER BY c.name_key, t.name_key, m.name_key",
        [start.isoformat(), end.isoformat(), start.isoformat(), end.isoformat(), *params])


async def member_by_category(conn: aiosqlite.Connection, member_id: int, start: date,
                             end: date) -> dict[int, tuple[int, int]]:
    found = await rows(
        conn,
        "SELECT category_id, COUNT(*), SUM(citizens) FROM sessions WHERE member_id = ?"
        " AND deleted_at IS NULL AND session_date BETWEEN ? AND ? GROUP BY category_id",
        [member_id, start.isoformat(), end.isoformat()])
    return {r[0]: (r[1], r[2]) for r in found}


async def members_with_sessions(conn: aiosqlite.Connection, start: date,
                                end: date) -> set[int]:
    found = await rows(conn, "SELECT DISTINCT member_id FROM sessions WHERE deleted_at IS NULL"
                             " AND session_date BETWEEN ? AND ?",
                       [start.isoformat(), end.isoformat()])
    return {r[0] for r in found}


async def weekly_citizens(conn: aiosqlite.Connection, scope: Scope, first_monday: date,
                          weeks: int) -> list[int]:
    where, params = sessions_in(scope)
    last = first_monday + timedelta(days=7 * weeks - 1)
    found = await rows(
        conn,
        "SELECT CAST((julianday(s.session_date) - julianday(?)) / 7 AS INTEGER),"
        f" SUM(s.citizens) FROM sessions s WHERE {where} AND s.deleted_at IS NULL"
        " AND s.session_date BETWEEN ? AND ? GROUP BY 1",
        [first_monday.isoformat(), *params, first_monday.isoformat(), last.isoformat()])
    series = [0] * weeks
    for index, citizens in found:
        series[int(index)] = int(citizens)
    return series


async def tallies(conn: aiosqlite.Connection, key: str, scope: Scope, start: date,
                  end: date) -> dict[str, dict[int, tuple[int, int]]]:
    """Per team (``s.team_id``) or commune (``s.commune_code``) and category."""
    where, params = sessions_in(scope)
    found = await rows(
        conn,
        f"SELECT {key}, s.category_id, COUNT(*), SUM(s.citizens) FROM sessions s"
        f" WHERE {where} AND s.deleted_at IS NULL AND s.session_date BETWEEN ? AND ?"
        f" GROUP BY {key}, s.category_id",
        [*params, start.isoformat(), end.isoformat()])
    out: dict[str, dict[int, tuple[int, int]]] = {}
    for r in found:
        out.setdefault(str(r[0]), {})[r[1]] = (r[2], r[3])
    return out


async def member_months(conn: aiosqlite.Connection, scope: Scope, start: date,
                        end: date) -> dict[tuple[int, int | None, str], dict[int, tuple[int, int]]]:
    """(member, team logged in, 'YYYY-MM') → per category (sessions, citizens)."""
    where, params = sessions_in(scope)
    found = await rows(
        conn,
        "SELECT s.member_id, s.team_id, substr(s.session_date, 1, 7), s.category_id, COUNT(*),"
        f" SUM(s.citizens) FROM sessions s WHERE {where} AND s.deleted_at IS NULL"
        " AND s.session_date BETWEEN ? AND ? GROUP BY 1, 2, 3, 4",
        [*params, start.isoformat(), end.isoformat()])
    out: dict[tuple[int, int | None, str], dict[int, tuple[int, int]]] = {}
    for r in found:
        out.setdefault((r[0], r[1], r[2]), {})[r[3]] = (r[4], r[5])
    return out


async def team_activity(conn: aiosqlite.Connection, scope: Scope, start: date,
                        end: date) -> dict[int, tuple[Any, ...]]:
    """Per active team in scope: (members, members who logged something in the team in the
    period, sessions, citizens logged in the team in the period, its latest session up to
    ``end``)."""
    where, params = teams_in(scope)
    period = [start.isoformat(), end.isoformat()]
    found = await rows(
        conn,
        "SELECT t.id, (SELECT COUNT(*) FROM members m WHERE m.team_id = t.id AND m.active),"
        " (SELECT COUNT(DISTINCT s.member_id) FROM sessions s WHERE s.team_id = t.id"
        "   AND s.deleted_at IS NULL AND s.session_date BETWEEN ? AND ?),"
        " (SELECT COUNT(*) FROM sessions s WHERE s.team_id = t.id AND s.deleted_at IS NULL"
        "   AND s.session_date BETWEEN ? AND ?),"
        " (SELECT COALESCE(SUM(s.citizens), 0) FROM sessions s WHERE s.team_id = t.id"
        "   AND s.deleted_at IS NULL AND s.session_date BETWEEN ? AND ?),"
        " (SELECT MAX(s.session_date) FROM sessions s WHERE s.team_id = t.id"
        "   AND s.deleted_at IS NULL AND s.session_date <= ?)"
        " FROM teams t JOIN communes c ON c.code = t.commune_code"
        f" WHERE t.active AND {where}",
        [*period, *period, *period, end.isoformat(), *params])
    return {r[0]: tuple(r[1:]) for r in found}
