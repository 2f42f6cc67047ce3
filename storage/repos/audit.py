"""The audit log: who did what to the registry, and when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.models import AuditEntry
from storage.repos.sql import fetch_all, parse_ts, scalar, ts


class AuditRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def record(self, *, actor: int | None, action: str, target: str | None,
                     now: datetime, **details: Any) -> None:
        await self.conn.execute(
            "INSERT INTO audit_log (at, actor_member_id, action, target, details)"
            " VALUES (?, ?, ?, ?, ?)",
            (ts(now), actor, action, target, json.dumps(details, ensure_ascii=False)),
        )

    async def latest(self, limit: int = 20, action: str | None = None) -> list[AuditEntry]:
        rows = await fetch_all(
            self.conn,
            "SELECT a.id, a.at, a.actor_member_id, m.full_name AS actor_name, a.action,"
            " a.target, a.details FROM audit_log a LEFT JOIN members m"
            " ON m.id = a.actor_member_id WHERE (? IS NULL OR a.action = ?)"
            " ORDER BY a.id DESC LIMIT ?",
            (action, action, limit),
        )
        entries = []
        for row in rows:
            data = dict(row)
            data["at"] = parse_ts(data["at"])
            data["details"] = json.loads(data["details"])
            entries.append(AuditEntry(**data))
        return entries

    async def count_about(self, member_id: int) -> int:
        return int(await scalar(
            self.conn, "SELECT COUNT(*) FROM audit_log WHERE actor_member_id = ? OR target = ?",
            (member_id, f"member:{member_id}")))
