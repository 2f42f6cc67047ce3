"""Registry files checked by a dry run and waiting for the admin's Confirm."""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.models import Channel
from storage.repos.sql import fetch_one, parse_ts, ts


class PendingImport(BaseModel):
    model_config = ConfigDict(frozen=True)

    token: str
    channel: Channel
    chat_id: str
    member_id: int | None
    file_ref: str
    filename: str
    digest: str
    created_at: datetime


class PendingImportRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(self, item: PendingImport) -> None:
        await self.conn.execute(
            "INSERT INTO pending_imports (token, channel, chat_id, member_id, file_ref,"
            " filename, digest, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (item.token, item.channel, item.chat_id, item.member_id, item.file_ref,
             item.filename, item.digest, ts(item.created_at)),
        )

    async def get(self, token: str) -> PendingImport | None:
        row = await fetch_one(
            self.conn,
            "SELECT token, channel, chat_id, member_id, file_ref, filename, digest, created_at"
            " FROM pending_imports WHERE token = ?",
            (token,),
        )
        if row is None:
            return None
        data = dict(row)
        data["created_at"] = parse_ts(data["created_at"])
        return PendingImport(**data)

    async def take(self, token: str) -> bool:
        """Remove it; False if it was already gone (a double tap confirms once)."""
        cursor = await self.conn.execute("DELETE FROM pending_imports WHERE token = ?", (token,))
        return cursor.rowcount > 0

    async def forget_before(self, cutoff: datetime) -> None:
        await self.conn.execute("DELETE FROM pending_imports WHERE created_at < ?", (ts(cutoff),))
