"""The durable inbox of updates (migration 0012): stored on arrival, marked when handled."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import Database
from storage.repos.sql import fetch_one, parse_ts, ts

#: ``json.dumps(..., ensure_ascii=False)`` builds an encoder per call; a batch of 100 payloads
#: is stored before the next getUpdates is asked for, so one encoder serves them all.
_encode = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(frozen=True)
class Arrival:
    """One update as received: its key, its chat and what is needed to handle it later."""

    update_key: str
    chat_id: str
    payload: dict[str, Any]
    row: int = 0  # its place in the inbox, once stored


async def store_arrivals(db: Database, channel: str, arrivals: Sequence[Arrival],
                         now: datetime, *, urgent: bool = False) -> list[Arrival]:
    """Write what arrived, in one statement; the ones not seen before, in arrival order.

    A re-delivered update (already handled, or stored and still waiting) is not new.
    ``urgent``: before the ordinary writes waiting (a poller catching up with a backlog).
    """
    unique = list({a.update_key: a for a in arrivals}.values())
    if not unique:
        return []
    values = ", ".join("(?, ?, ?, ?, ?)" for _ in unique)
    received = ts(now)
    params: list[Any] = []
    for a in unique:
        params += [channel, a.update_key, a.chat_id, _encode(a.payload), received]
    rows = await db.write_one(
        "INSERT INTO inbox (channel, update_key, chat_id, payload, received_at)"
        f" VALUES {values} ON CONFLICT (channel, update_key) DO NOTHING RETURNING update_key",
        params, urgent=urgent)
    fresh = {str(r[0]) for r in rows}
    return [a for a in unique if a.update_key in fresh]


async def mark_handled(db: Database, channel: str, update_key: str, now: datetime) -> None:
    """Handled and answered: the row keeps only its key (for spotting a re-delivery)."""
    await db.write_one(
        "UPDATE inbox SET handled_at = ?, payload = NULL"
        " WHERE channel = ? AND update_key = ? AND handled_at IS NULL",
        (ts(now), channel, update_key))


#: The channels whose latest update /healthz and /status report.
CHANNELS = ("telegram", "zalo")


class InboxRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def pending(self, channel: str, *, after: int = 0,
                      limit: int | None = None) -> list[Arrival]:
        """Received and never handled (a crash came between), oldest first; a page of them
        with ``after`` (the last ``Arrival.row`` of the page before) and ``limit``."""
        rows = await self.conn.execute_fetchall(
            "SELECT update_key, chat_id, payload, id FROM inbox"
            " WHERE handled_at IS NULL AND channel = ? AND id > ? ORDER BY id LIMIT ?",
            (channel, after, -1 if limit is None else limit))
        return [Arrival(str(r[0]), str(r[1]), json.loads(r[2]), int(r[3])) for r in rows]

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

    async def last_arrivals(self) -> dict[str, datetime]:
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
