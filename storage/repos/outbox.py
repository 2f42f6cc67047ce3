"""The outbox table: messages written before they are sent, each at most once per dedup key.

Life of an item: ``pending`` → (claimed) ``sending`` → ``sent`` | ``failed``; a retryable
error puts it back to ``pending``; ``cancelled`` when its batch is cancelled or it expired.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import aiosqlite
from pydantic import BaseModel, ConfigDict

from storage.repos.sql import fetch_all, fetch_one, parse_ts, ts

Status = Literal["pending", "sending", "sent", "failed", "cancelled"]
STATUSES: tuple[Status, ...] = ("pending", "sending", "sent", "failed", "cancelled")

_COLUMNS = ("id, dedup_key, channel, chat_id, member_id, kind, batch_id, payload, attachment,"
            " not_before, expires_at, status, attempts, last_error, message_ref, created_at,"
            " sent_at")


class OutboxItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    dedup_key: str
    channel: str
    chat_id: str
    member_id: int | None
    kind: str
    batch_id: str | None
    payload: dict[str, Any]
    attachment: bytes | None
    not_before: datetime
    expires_at: datetime | None
    status: Status
    attempts: int
    last_error: str | None
    message_ref: str | None
    created_at: datetime
    sent_at: datetime | None


def _item(row: aiosqlite.Row) -> OutboxItem:
    data = dict(row)
    data["payload"] = json.loads(data["payload"])
    for key in ("not_before", "expires_at", "created_at", "sent_at"):
        data[key] = parse_ts(data[key])
    return OutboxItem(**data)


class OutboxBacklog(BaseModel):
    model_config = ConfigDict(frozen=True)

    #: Items not settled yet (pending or being sent), due or not.
    depth: int
    #: The earliest ``not_before`` among pending items already due (None: nothing overdue).
    oldest_due: datetime | None


class OutboxRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(self, *, dedup_key: str, channel: str, chat_id: str, member_id: int | None,
                  kind: str, batch_id: str | None, payload: dict[str, Any],
                  attachment: bytes | None, not_before: datetime,
                  expires_at: datetime | None, now: datetime) -> bool:
        """Insert unless the key exists; whether it was new (the exactly-once guarantee)."""
        cursor = await self.conn.execute(
            "INSERT INTO outbox (dedup_key, channel, chat_id, member_id, kind, batch_id, payload,"
            " attachment, not_before, expires_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedup_key) DO NOTHING",
            (dedup_key, channel, chat_id, member_id, kind, batch_id,
             json.dumps(payload, ensure_ascii=False), attachment, ts(not_before),
             ts(expires_at) if expires_at else None, ts(now), ts(now)),
        )
        return cursor.rowcount > 0

    async def has(self, dedup_key: str) -> bool:
        return await fetch_one(self.conn, "SELECT 1 FROM outbox WHERE dedup_key = ?",
                               (dedup_key,)) is not None

    async def by_key(self, dedup_key: str) -> OutboxItem | None:
        row = await fetch_one(self.conn, f"SELECT {_COLUMNS} FROM outbox WHERE dedup_key = ?",
                              (dedup_key,))
        return _item(row) if row else None

    async def items(self, *, kind: str | None = None, batch_id: str | None = None
                    ) -> list[OutboxItem]:
        rows = await fetch_all(
            self.conn,
            f"SELECT {_COLUMNS} FROM outbox WHERE (? IS NULL OR kind = ?)"
            " AND (? IS NULL OR batch_id = ?) ORDER BY id",
            (kind, kind, batch_id, batch_id),
        )
        return [_item(r) for r in rows]

    async def due(self, now: datetime, limit: int, channels: list[str]
                  ) -> list[tuple[int, str, str]]:
        """(id, channel, chat_id) of pending items whose time has come, oldest first.

        Only for the channels running here: another channel's items wait for it.
        """
        marks = ",".join("?" * len(channels)) or "NULL"
        rows = await fetch_all(
            self.conn,
            "SELECT id, channel, chat_id FROM outbox WHERE status = 'pending'"
            f" AND not_before <= ? AND (expires_at IS NULL OR expires_at > ?)"
            f" AND channel IN ({marks}) ORDER BY not_before, id LIMIT ?",
            (ts(now), ts(now), *channels, limit),
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def claim(self, item_id: int, now: datetime) -> OutboxItem | None:
        """pending → sending, counting the attempt; None if someone else settled it."""
        row = await fetch_one(
            self.conn,
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?"
            " WHERE id = ? AND status = 'pending' AND (expires_at IS NULL OR expires_at > ?)"
            f" RETURNING {_COLUMNS}",
            (ts(now), item_id, ts(now)),
        )
        return _item(row) if row else None

    async def mark_sent(self, item_id: int, message_ref: str | None, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'sent', message_ref = ?, sent_at = ?, updated_at = ?,"
            " attachment = NULL WHERE id = ?",
            (message_ref, ts(now), ts(now), item_id),
        )

    async def mark_failed(self, item_id: int, error: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'failed', last_error = ?, updated_at = ?,"
            " attachment = NULL WHERE id = ?",
            (error[:500], ts(now), item_id),
        )

    async def release(self, item_id: int, error: str, now: datetime) -> None:
        """Back to pending after a retryable error (the sender tries again)."""
        await self.conn.execute(
            "UPDATE outbox SET status = 'pending', last_error = ?, updated_at = ?"
            " WHERE id = ? AND status = 'sending'",
            (error[:500], ts(now), item_id),
        )

    async def drop(self, item_id: int, reason: str, now: datetime) -> None:
        """Cancel a claimed item that is no longer wanted (never sent)."""
        await self.conn.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = ?, updated_at = ?,"
            " attachment = NULL WHERE id = ? AND status = 'sending'",
            (reason[:500], ts(now), item_id),
        )

    async def recover_sending(self, now: datetime) -> int:
        """Items a hard crash left in ``sending`` go out again (see bot/app/sender.py)."""
        cursor = await self.conn.execute(
            "UPDATE outbox SET status = 'pending', updated_at = ?,"
            " last_error = 'interrupted by a crash; sent again' WHERE status = 'sending'",
            (ts(now),),
        )
        return cursor.rowcount

    async def expire(self, now: datetime) -> int:
        cursor = await self.conn.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = 'expired', updated_at = ?,"
            " attachment = NULL WHERE status = 'pending' AND expires_at IS NOT NULL"
            " AND expires_at <= ?",
            (ts(now), ts(now)),
        )
        return cursor.rowcount

    async def batch_progress(self, batch_id: str) -> dict[Status, int]:
        rows = await fetch_all(
            self.conn, "SELECT status, COUNT(*) FROM outbox WHERE batch_id = ? GROUP BY status",
            (batch_id,))
        counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
        for status, count in rows:
            counts[status] = int(count)
        return counts

    async def batch_failures(self, batch_id: str) -> list[OutboxItem]:
        rows = await fetch_all(
            self.conn, f"SELECT {_COLUMNS} FROM outbox WHERE batch_id = ? AND status = 'failed'"
            " ORDER BY id", (batch_id,))
        return [_item(r) for r in rows]

    async def cancel_batch(self, batch_id: str, now: datetime) -> int:
        """Cancel what has not gone yet; an item being sent right now still completes."""
        cursor = await self.conn.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = 'cancelled', updated_at = ?,"
            " attachment = NULL WHERE batch_id = ? AND status = 'pending'",
            (ts(now), batch_id),
        )
        return cursor.rowcount

    async def backlog(self, now: datetime) -> OutboxBacklog:
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

    async def members_in_batch(self, batch_id: str) -> set[int]:
        """Who already has a message in this week's reminder batch (whatever its state)."""
        rows = await fetch_all(
            self.conn, "SELECT DISTINCT member_id FROM outbox WHERE batch_id = ?"
            " AND member_id IS NOT NULL", (batch_id,))
        return {int(r[0]) for r in rows}
