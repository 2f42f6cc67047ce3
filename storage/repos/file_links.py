"""File links: which stored file a link's token (by its hash) serves, and until when."""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from pydantic import BaseModel, ConfigDict

from storage.repos.sql import fetch_all, fetch_one, parse_ts, ts

_COLUMNS = "id, token_hash, purpose, path, content_type, filename, created_at, expires_at"


class FileLinkRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    token_hash: str
    purpose: str
    path: str
    content_type: str
    filename: str
    created_at: datetime
    expires_at: datetime


def _row(row: aiosqlite.Row) -> FileLinkRow:
    data = dict(row)
    data["created_at"] = parse_ts(data["created_at"])
    data["expires_at"] = parse_ts(data["expires_at"])
    return FileLinkRow(**data)


class FileLinkRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(self, *, token_hash: str, purpose: str, path: str, content_type: str,
                  filename: str, now: datetime, expires_at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO file_links (token_hash, purpose, path, content_type, filename,"
            " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_hash, purpose, path, content_type, filename, ts(now), ts(expires_at)),
        )

    async def live(self, token_hash: str, now: datetime) -> FileLinkRow | None:
        """The link with this token hash, unless it has expired."""
        row = await fetch_one(
            self.conn,
            f"SELECT {_COLUMNS} FROM file_links WHERE token_hash = ? AND expires_at > ?",
            (token_hash, ts(now)),
        )
        return _row(row) if row else None

    async def remove_expired(self, now: datetime) -> list[str]:
        """Delete the expired links; the paths of their files, for the caller to delete."""
        rows = await fetch_all(
            self.conn, "DELETE FROM file_links WHERE expires_at <= ? RETURNING path",
            (ts(now),))
        return [str(r[0]) for r in rows]

    async def paths(self) -> set[str]:
        rows = await fetch_all(self.conn, "SELECT path FROM file_links")
        return {str(r[0]) for r in rows}

    async def count(self) -> int:
        row = await fetch_one(self.conn, "SELECT COUNT(*) FROM file_links")
        return int(row[0]) if row else 0
