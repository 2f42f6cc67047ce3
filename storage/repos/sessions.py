"""Assistance sessions as members log them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.core.models import Channel, Session
from storage.repos._sql import fetch_all, fetch_one, parse_ts, scalar, ts

_COLUMNS = (
    "s.id, s.member_id, s.team_id, s.commune_code, s.category_id, s.citizens, s.session_date,"
    " s.note, s.photo_ref, s.channel, s.created_at, s.deleted_at"
)


def _session(row: aiosqlite.Row) -> Session:
    data = dict(row)
    data["session_date"] = date.fromisoformat(data["session_date"])
    data["created_at"] = parse_ts(data["created_at"])
    data["deleted_at"] = parse_ts(data["deleted_at"])
    return Session(**data)


class SessionRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(
        self,
        *,
        member_id: int,
        team_id: int | None,
        commune_code: str | None,
        category_id: int,
        citizens: int,
        session_date: date,
        note: str | None,
        photo_ref: str | None,
        channel: Channel,
        idempotency_key: str,
        now: datetime,
    ) -> tuple[int, bool]:
        """Record a session once per idempotency key: (id, whether it is new)."""
        cursor = await self.conn.execute(
            "INSERT INTO sessions (member_id, team_id, commune_code, category_id, citizens,"
            " session_date, note, photo_ref, channel, idempotency_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING",
            (member_id, team_id, commune_code, category_id, citizens, session_date.isoformat(),
             note, photo_ref, channel, idempotency_key, ts(now)),
        )
        if cursor.rowcount:
            assert cursor.lastrowid is not None
            return cursor.lastrowid, True
        row = await fetch_one(self.conn, "SELECT id FROM sessions WHERE idempotency_key = ?",
                              (idempotency_key,))
        assert row is not None
        return int(row[0]), False

    async def has_key(self, idempotency_key: str) -> bool:
        row = await fetch_one(self.conn, "SELECT 1 FROM sessions WHERE idempotency_key = ?",
                              (idempotency_key,))
        return row is not None

    async def get(self, session_id: int) -> Session | None:
        row = await fetch_one(self.conn, f"SELECT {_COLUMNS} FROM sessions s WHERE s.id = ?",
                              (session_id,))
        return _session(row) if row else None

    async def latest_of(self, member_id: int, limit: int = 5) -> list[Session]:
        rows = await fetch_all(
            self.conn,
            f"SELECT {_COLUMNS} FROM sessions s WHERE s.member_id = ? AND s.deleted_at IS NULL"
            " ORDER BY s.id DESC LIMIT ?",
            (member_id, limit),
        )
        return [_session(r) for r in rows]

    async def delete(self, session_id: int, now: datetime) -> bool:
        cursor = await self.conn.execute(
            "UPDATE sessions SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
            (ts(now), session_id),
        )
        return cursor.rowcount > 0

    async def page_of(self, member_id: int, *, offset: int, limit: int) -> list[Session]:
        """All of a member's sessions, undone ones included, newest first (for /mydata)."""
        rows = await fetch_all(
            self.conn,
            f"SELECT {_COLUMNS} FROM sessions s WHERE s.member_id = ?"
            " ORDER BY s.session_date DESC, s.id DESC LIMIT ? OFFSET ?",
            (member_id, limit, offset),
        )
        return [_session(r) for r in rows]

    async def any_logged(self) -> bool:
        return bool(await scalar(self.conn, "SELECT EXISTS (SELECT 1 FROM sessions)"))

    async def add_demo(self, rows: list[tuple[Any, ...]]) -> None:
        """Bulk insert for the demo seed only: (member, team, commune, category, citizens,
        date, channel, idempotency key, created_at); existing keys are kept."""
        await self.conn.executemany(
            "INSERT INTO sessions (member_id, team_id, commune_code, category_id, citizens,"
            " session_date, channel, idempotency_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING",
            rows,
        )

    async def count_of(self, member_id: int) -> int:
        return int(await scalar(self.conn, "SELECT COUNT(*) FROM sessions WHERE member_id = ?",
                                (member_id,)))
