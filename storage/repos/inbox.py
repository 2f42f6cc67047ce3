"""The durable inbox of updates (migration 0012): stored on arrival, marked when handled."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.repos._sql import ts


@dataclass(frozen=True)
class Arrival:
    """One update as received: its key, its chat and what is needed to handle it later."""

    update_key: str
    chat_id: str
    payload: dict[str, Any]


class InboxRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def store(self, channel: str, arrivals: Sequence[Arrival], now: datetime
                    ) -> list[Arrival]:
        """Write what arrived (one transaction, by the caller); the ones not seen before.

        A re-delivered update (already handled, or stored and still waiting) is not new.
        """
        if not arrivals:
            return []
        keys = [a.update_key for a in arrivals]
        marks = ",".join("?" * len(keys))
        seen = {row[0] for row in await self.conn.execute_fetchall(
            f"SELECT update_key FROM inbox WHERE channel = ? AND update_key IN ({marks})",
            (channel, *keys))}
        fresh: list[Arrival] = []
        for arrival in arrivals:
            if arrival.update_key not in seen:
                seen.add(arrival.update_key)
                fresh.append(arrival)
        await self.conn.executemany(
            "INSERT INTO inbox (channel, update_key, chat_id, payload, received_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(channel, a.update_key, a.chat_id, json.dumps(a.payload, ensure_ascii=False),
              ts(now)) for a in fresh])
        return fresh

    async def pending(self, channel: str) -> list[Arrival]:
        """Received and never handled (a crash came between), oldest first."""
        rows = await self.conn.execute_fetchall(
            "SELECT update_key, chat_id, payload FROM inbox"
            " WHERE handled_at IS NULL AND channel = ? ORDER BY id", (channel,))
        return [Arrival(str(r[0]), str(r[1]), json.loads(r[2])) for r in rows]

    async def mark_handled(self, channel: str, update_key: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE inbox SET handled_at = ?, payload = NULL"
            " WHERE channel = ? AND update_key = ? AND handled_at IS NULL",
            (ts(now), channel, update_key))

    async def was_handled(self, channel: str, update_key: str) -> bool:
        rows = await self.conn.execute_fetchall(
            "SELECT 1 FROM inbox WHERE channel = ? AND update_key = ? AND handled_at IS NOT NULL",
            (channel, update_key))
        return bool(list(rows))

    async def forget_handled_before(self, cutoff: datetime) -> int:
        """Re-deliveries come within minutes or hours; old keys are not kept for ever."""
        cursor = await self.conn.execute(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?", (ts(cutoff),))
        return cursor.rowcount
