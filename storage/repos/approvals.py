"""Monthly approvals (``migrations/0014_approvals.sql``): who signed off a commune's or the
province's month, when, and on what figures; reopening keeps the old row with who, when and why.

A commune's month is locked while it has a standing approval (not reopened): the triggers of
the migration refuse any change of its sessions, and the chat flows ask :meth:`standing` first
so they can answer politely.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

import aiosqlite
from pydantic import BaseModel, ConfigDict

from storage.repos.sql import fetch_all, fetch_one, parse_ts, ts

ApprovalLevel = Literal["commune", "province"]

_SELECT = (
    "SELECT a.id, a.scope_kind, a.scope_id, a.month, a.approved_by, m.full_name AS by_name,"
    " a.approved_at, a.summary FROM month_approvals a"
    " LEFT JOIN members m ON m.id = a.approved_by"
)


class Approval(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    scope_kind: ApprovalLevel
    scope_id: str
    month: date                      # the first of the month
    approved_by: int | None
    by_name: str | None
    approved_at: datetime
    summary: dict[str, Any]


def month_key(first: date) -> str:
    return f"{first:%Y-%m}"


def _approval(row: aiosqlite.Row) -> Approval:
    data = dict(row)
    data["month"] = date.fromisoformat(f"{data['month']}-01")
    data["approved_at"] = parse_ts(data["approved_at"])
    data["summary"] = json.loads(data["summary"] or "{}")
    return Approval(**data)


class ApprovalRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def standing(self, level: ApprovalLevel, place: str, first: date) -> Approval | None:
        """The approval in force for the place's month, if any (a locked month, for a commune)."""
        row = await fetch_one(
            self.conn, f"{_SELECT} WHERE a.scope_kind = ? AND a.scope_id = ? AND a.month = ?"
            " AND a.reopened_at IS NULL", (level, place, month_key(first)))
        return _approval(row) if row else None

    async def lock_of(self, commune: str | None, day: date) -> Approval | None:
        """The approval that locks sessions of ``commune`` dated ``day``, if any."""
        if commune is None:
            return None
        return await self.standing("commune", commune, day.replace(day=1))

    async def communes_of_month(self, first: date) -> dict[str, Approval]:
        """Commune code → its standing approval, for the communes approved for the month."""
        rows = await fetch_all(
            self.conn, f"{_SELECT} WHERE a.month = ? AND a.scope_kind = 'commune'"
            " AND a.reopened_at IS NULL", (month_key(first),))
        return {r["scope_id"]: _approval(r) for r in rows}

    async def approve(self, level: ApprovalLevel, place: str, first: date, *, by: int | None,
                      now: datetime, summary: dict[str, Any]) -> bool:
        """Record the approval; False if the month already has one standing."""
        cursor = await self.conn.execute(
            "INSERT INTO month_approvals (scope_kind, scope_id, month, approved_by, approved_at,"
            " summary) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (level, place, month_key(first), by, ts(now), json.dumps(summary)))
        return cursor.rowcount > 0

    async def reopen(self, level: ApprovalLevel, place: str, first: date, *, by: int | None,
                     now: datetime, reason: str) -> bool:
        """Lift the standing approval; False if there was none."""
        cursor = await self.conn.execute(
            "UPDATE month_approvals SET reopened_by = ?, reopened_at = ?, reopen_reason = ?"
            " WHERE scope_kind = ? AND scope_id = ? AND month = ? AND reopened_at IS NULL",
            (by, ts(now), reason, level, place, month_key(first)))
        return cursor.rowcount > 0
