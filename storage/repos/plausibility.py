"""Plausibility rules as an admin set them, flagged sessions, and the few reads a rule needs.

Every read on the logging path is one index seek: the member's day from the ``member_day``
roll-up, the same session among the member's sessions of that day, the latest sessions as
logged (``sessions_member_logged``), the member's pause (its primary key).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.permissions import Scope
from bot.core.plausibility import History, Hit, Rules, StoredRow, from_rows
from storage.repos.sql import fetch_all, fetch_one, parse_ts, scalar, ts


class Flag(BaseModel):
    """A flagged session as a reviewer sees it."""

    model_config = ConfigDict(frozen=True)

    id: int
    session_id: int
    rules: tuple[str, ...]
    detail: tuple[tuple[str, int, int], ...]   # (rule, limit, value)
    status: str
    member_id: int
    member_name: str
    team_id: int | None
    team_name: str | None
    commune_code: str | None
    category_id: int
    citizens: int
    session_date: date
    logged_at: datetime
    reason: str | None


def _scope_sql(scope: Scope) -> tuple[str, list[Any]]:
    if scope.team is not None:
        return "f.team_id = ?", [scope.team]
    if scope.commune is not None:
        return "f.commune_code = ?", [scope.commune]
    if scope.province is not None:
        return "f.commune_code IN (SELECT code FROM communes WHERE province_code = ?)", [
            scope.province]
    return "1", []


_FLAG = (
    "SELECT f.id, f.session_id, f.rule, f.detail, f.status, f.reason, s.member_id,"
    " m.full_name AS member_name, f.team_id, t.name AS team_name, f.commune_code,"
    " s.category_id, s.citizens, s.session_date, s.created_at"
    " FROM session_flags f JOIN sessions s ON s.id = f.session_id"
    " JOIN members m ON m.id = s.member_id LEFT JOIN teams t ON t.id = f.team_id"
)


def _flag(row: aiosqlite.Row) -> Flag:
    detail = tuple((str(d[0]), int(d[1]), int(d[2])) for d in json.loads(row["detail"]))
    logged = parse_ts(row["created_at"])
    assert logged is not None
    return Flag(id=row["id"], session_id=row["session_id"], rules=tuple(row["rule"].split(",")),
                detail=detail, status=row["status"], member_id=row["member_id"],
                member_name=row["member_name"], team_id=row["team_id"],
                team_name=row["team_name"], commune_code=row["commune_code"],
                category_id=row["category_id"], citizens=row["citizens"],
                session_date=date.fromisoformat(row["session_date"]), logged_at=logged,
                reason=row["reason"])


class PlausibilityRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    # --- the rules ------------------------------------------------------------------------------

    async def rules(self) -> Rules:
        """The rules in force: the stored rows over the defaults."""
        return from_rows(await self.rule_rows())

    async def rule_rows(self) -> list[StoredRow]:
        rows = await fetch_all(self.conn,
                               "SELECT rule, category_id, value FROM plausibility_rules")
        return [(str(r[0]), r[1], int(r[2])) for r in rows]

    async def set_rule(self, rule: str, category_id: int | None, value: int, *,
                       by: int | None, now: datetime) -> None:
        """Set one rule (a negative value removes the row: back to the default)."""
        await self.conn.execute(
            "DELETE FROM plausibility_rules WHERE rule = ? AND COALESCE(category_id, 0) = ?",
            (rule, category_id or 0))
        if value >= 0:
            await self.conn.execute(
                "INSERT INTO plausibility_rules (rule, category_id, value, set_by, set_at)"
                " VALUES (?, ?, ?, ?, ?)", (rule, category_id, value, by, ts(now)))

    # --- what the rules need ---------------------------------------------------------------------

    async def history(self, *, member_id: int, day: date, category_id: int, citizens: int,
                      recent: int) -> tuple[History, tuple[datetime, date] | None]:
        """The member's day so far and their latest ``recent`` sessions as logged, and their
        pause as stored (when it was set, its last day): the caller, who knows the time zone,
        turns the moment it was set into the pause's first day."""
        day_key = day.isoformat()
        # One statement, one trip to the database thread (it runs inside Save's transaction,
        # on every update that saves: four trips were a fifth of the press's).
        row = await fetch_one(
            self.conn,
            "SELECT (SELECT COALESCE(SUM(citizens), 0) FROM member_day"
            "        WHERE member_id = ? AND day = ?),"
            " (SELECT COUNT(*) FROM sessions WHERE member_id = ? AND session_date = ?"
            "  AND category_id = ? AND citizens = ? AND deleted_at IS NULL),"
            " (SELECT json_group_array(created_at) FROM (SELECT created_at FROM sessions"
            "  WHERE member_id = ? ORDER BY created_at DESC LIMIT ?)),"
            " p.set_at, p.until FROM (SELECT 1) LEFT JOIN reminder_pauses p ON p.member_id = ?",
            (member_id, day_key, member_id, day_key, category_id, citizens, member_id, recent,
             member_id))
        assert row is not None
        moments = (parse_ts(str(value)) for value in json.loads(row[2]))
        logged = sorted((m for m in moments if m is not None), reverse=True)
        history = History(day_citizens=int(row[0]), same_sessions=int(row[1]),
                          recent_logged=tuple(logged))
        set_at = parse_ts(row[3]) if row[3] is not None else None
        if set_at is None:
            return history, None
        return history, (set_at, date.fromisoformat(row[4]))

    # --- flags ---------------------------------------------------------------------------------

    async def flag(self, *, session_id: int, hits: tuple[Hit, ...], team_id: int | None,
                   commune_code: str | None, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO session_flags (session_id, rule, detail, team_id, commune_code,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(session_id) DO NOTHING",
            (session_id, ",".join(h.rule.value for h in hits),
             json.dumps([[h.rule.value, h.limit, h.value] for h in hits]), team_id,
             commune_code, ts(now)))

    async def open_in(self, scope: Scope, *, limit: int, offset: int = 0) -> list[Flag]:
        """Open flags of a place, oldest session first (the longest waiting on top)."""
        where, params = _scope_sql(scope)
        rows = await fetch_all(
            self.conn, f"{_FLAG} WHERE f.status = 'open' AND {where} AND s.deleted_at IS NULL"
            " ORDER BY s.session_date, f.id LIMIT ? OFFSET ?", [*params, limit, offset])
        return [_flag(r) for r in rows]

    async def count_open(self, scope: Scope) -> int:
        where, params = _scope_sql(scope)
        return int(await scalar(
            self.conn, f"SELECT COUNT(*) FROM session_flags f JOIN sessions s"
            f" ON s.id = f.session_id WHERE f.status = 'open' AND {where}"
            " AND s.deleted_at IS NULL", params))

    async def get(self, flag_id: int) -> Flag | None:
        row = await fetch_one(self.conn, f"{_FLAG} WHERE f.id = ?", (flag_id,))
        return _flag(row) if row else None

    async def of_session(self, session_id: int) -> Flag | None:
        row = await fetch_one(self.conn, f"{_FLAG} WHERE f.session_id = ?", (session_id,))
        return _flag(row) if row else None

    async def decide(self, flag_id: int, *, status: str, by: int | None, reason: str | None,
                     now: datetime) -> bool:
        """Confirm or reject an open flag; False if someone decided it already."""
        cursor = await self.conn.execute(
            "UPDATE session_flags SET status = ?, decided_by = ?, decided_at = ?, reason = ?"
            " WHERE id = ? AND status = 'open'", (status, by, ts(now), reason, flag_id))
        return cursor.rowcount > 0
