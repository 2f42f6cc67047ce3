"""Wrong invitation codes typed, per chat account: what limits guessing."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.models import Channel
from storage.repos.sql import scalar, ts


class JoinGuardRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def failures_since(self, channel: Channel, external_id: str, since: datetime) -> int:
        return int(await scalar(
            self.conn,
            "SELECT COUNT(*) FROM join_failures WHERE channel = ? AND external_id = ? AND at >= ?",
            (channel, external_id, ts(since))))

    async def oldest_since(self, channel: Channel, external_id: str,
                           since: datetime) -> str | None:
        value = await scalar(
            self.conn,
            "SELECT MIN(at) FROM join_failures WHERE channel = ? AND external_id = ? AND at >= ?",
            (channel, external_id, ts(since)))
        return str(value) if value is not None else None

    async def record_failure(self, channel: Channel, external_id: str, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO join_failures (channel, external_id, at) VALUES (?, ?, ?)",
            (channel, external_id, ts(now)))
