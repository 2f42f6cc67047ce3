"""Web access: one-time login links, browser sessions and the feed's API tokens (migration
0017). Only hashes of the secrets are stored; the caller hashes them
(:func:`storage.file_links.token_hash`).
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from pydantic import BaseModel, ConfigDict

from storage.repos.sql import fetch_all, fetch_one, parse_ts, ts


class WebSession(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    member_id: int
    csrf: str
    created_at: datetime
    last_seen_at: datetime
    device: str


class ApiToken(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _session(row: aiosqlite.Row) -> WebSession:
    return WebSession(id=row[0], member_id=row[1], csrf=row[2], created_at=parse_ts(row[3]),
                      last_seen_at=parse_ts(row[4]), device=row[5])


_SESSION = "SELECT id, member_id, csrf, created_at, last_seen_at, device FROM web_sessions"


class WebAccessRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    # --- login links ---------------------------------------------------------------------------

    async def add_link(self, token_hash: str, member_id: int, now: datetime,
                       expires_at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO web_login_links (token_hash, member_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)", (token_hash, member_id, ts(now), ts(expires_at)))

    async def use_link(self, token_hash: str, now: datetime) -> int | None:
        """Spend a live, unused link: its member, or None (unknown, used or expired)."""
        row = await fetch_one(
            self.conn,
            "UPDATE web_login_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
            " AND expires_at > ? RETURNING member_id", (ts(now), token_hash, ts(now)))
        return int(row[0]) if row else None

    # --- browser sessions ----------------------------------------------------------------------

    async def open_session(self, token_hash: str, csrf: str, member_id: int, now: datetime,
                           device: str) -> int:
        row = await fetch_one(
            self.conn,
            "INSERT INTO web_sessions (token_hash, csrf, member_id, created_at, last_seen_at,"
            " device) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (token_hash, csrf, member_id, ts(now), ts(now), device))
        assert row is not None
        return int(row[0])

    async def session(self, token_hash: str, seen_after: datetime) -> WebSession | None:
        """The session of this cookie, unless idle since ``seen_after``."""
        row = await fetch_one(self.conn, f"{_SESSION} WHERE token_hash = ? AND last_seen_at > ?",
                              (token_hash, ts(seen_after)))
        return _session(row) if row else None

    async def touch(self, session_id: int, now: datetime) -> None:
        await self.conn.execute("UPDATE web_sessions SET last_seen_at = ? WHERE id = ?",
                                (ts(now), session_id))

    async def sessions_of(self, member_id: int, seen_after: datetime) -> list[WebSession]:
        rows = await fetch_all(
            self.conn, f"{_SESSION} WHERE member_id = ? AND last_seen_at > ?"
            " ORDER BY last_seen_at DESC, id DESC", (member_id, ts(seen_after)))
        return [_session(r) for r in rows]

    async def end_session(self, session_id: int, member_id: int) -> bool:
        """End one of the member's own sessions (someone else's id changes nothing)."""
        cursor = await self.conn.execute(
            "DELETE FROM web_sessions WHERE id = ? AND member_id = ?", (session_id, member_id))
        return cursor.rowcount > 0

    async def end_all(self, member_id: int) -> int:
        """Every session and unused link of the member (/forget, a lost role)."""
        await self.conn.execute("DELETE FROM web_login_links WHERE member_id = ?", (member_id,))
        cursor = await self.conn.execute("DELETE FROM web_sessions WHERE member_id = ?",
                                         (member_id,))
        return cursor.rowcount

    # --- API tokens ----------------------------------------------------------------------------

    async def add_token(self, token_hash: str, label: str, now: datetime) -> int:
        row = await fetch_one(
            self.conn, "INSERT INTO api_tokens (token_hash, label, created_at) VALUES (?, ?, ?)"
            " RETURNING id", (token_hash, label, ts(now)))
        assert row is not None
        return int(row[0])

    async def tokens(self) -> list[ApiToken]:
        rows = await fetch_all(self.conn, "SELECT id, label, created_at, last_used_at,"
                               " revoked_at FROM api_tokens ORDER BY id")
        return [ApiToken(id=r[0], label=r[1], created_at=parse_ts(r[2]),
                         last_used_at=parse_ts(r[3]), revoked_at=parse_ts(r[4])) for r in rows]

    async def revoke_token(self, token_id: int, now: datetime) -> bool:
        cursor = await self.conn.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (ts(now), token_id))
        return cursor.rowcount > 0

    async def live_token(self, token_hash: str) -> int | None:
        row = await fetch_one(self.conn, "SELECT id FROM api_tokens WHERE token_hash = ?"
                              " AND revoked_at IS NULL", (token_hash,))
        return int(row[0]) if row else None

    async def token_used(self, token_id: int, now: datetime) -> None:
        await self.conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                                (ts(now), token_id))
