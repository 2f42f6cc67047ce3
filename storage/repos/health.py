"""The figures behind /healthz, /metrics and /status: is the database there, what is waiting."""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from pydantic import BaseModel, ConfigDict

from storage.repos._sql import fetch_one, parse_ts, ts

CHANNELS = ("telegram", "zalo")


class OutboxBacklog(BaseModel):
    model_config = ConfigDict(frozen=True)

    #: Items not settled yet (pending or being sent), due or not.
    depth: int
    #: The earliest ``not_before`` among pending items already due (None: nothing overdue).
    oldest_due: datetime | None


class HealthRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def ping(self) -> bool:
        row = await fetch_one(self.conn, "SELECT 1")
        return row is not None and row[0] == 1

    async def outbox_backlog(self, now: datetime) -> OutboxBacklog:
        row = await fetch_one(
            self.conn,
            "SELECT COUNT(*),"
            " MIN(CASE WHEN status = 'pending' AND not_before <= ?"
            "     AND (expires_at IS NULL OR expires_at > ?) THEN not_before END)"
            " FROM outbox WHERE status IN ('pending', 'sending')",
            (ts(now), ts(now)),
        )
        assert row is not None
        return OutboxBacklog(depth=int(row[0]), oldest_due=parse_ts(row[1]))

    async def last_updates(self) -> dict[str, datetime]:
        """When each channel's latest update arrived (channels never heard from: absent)."""
        found: dict[str, datetime] = {}
        for channel in CHANNELS:
            row = await fetch_one(
                self.conn,
                "SELECT MAX(received_at) FROM inbox WHERE channel = ?", (channel,))
            moment = parse_ts(row[0]) if row else None
            if moment is not None:
                found[channel] = moment
        return found
