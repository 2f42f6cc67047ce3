"""Zalo chats' remembered choices: what a typed number means, which quick replies were listed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from storage.repos.sql import fetch_one, ts


class ZaloRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def remembered(self, chat_id: str) -> tuple[dict[str, Any] | None, list[str]]:
        """Both at once, in one read: (:meth:`options`, :meth:`menu`)."""
        row = await fetch_one(self.conn,
                              "SELECT options, menu FROM zalo_chat_options WHERE chat_id = ?",
                              (chat_id,))
        if row is None:
            return None, []
        return _options(row[0]), _menu(row[1])

    async def options(self, chat_id: str) -> dict[str, Any] | None:
        """The newest numbered list's options as stored (see ``bot.channels.zalo_text``)."""
        row = await fetch_one(self.conn,
                              "SELECT options FROM zalo_chat_options WHERE chat_id = ?",
                              (chat_id,))
        return None if row is None else _options(row[0])

    async def set_options(self, chat_id: str, options: dict[str, Any] | None,
                          now: datetime) -> None:
        """Replace the chat's options (None: the newest message offers no choice)."""
        await self.conn.execute(
            "INSERT INTO zalo_chat_options (chat_id, options, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(chat_id) DO UPDATE SET options = excluded.options,"
            " updated_at = excluded.updated_at",
            (chat_id, None if options is None else json.dumps(options, ensure_ascii=False),
             ts(now)),
        )

    async def menu(self, chat_id: str) -> list[str]:
        row = await fetch_one(self.conn, "SELECT menu FROM zalo_chat_options WHERE chat_id = ?",
                              (chat_id,))
        return [] if row is None else _menu(row[0])

    async def set_menu(self, chat_id: str, labels: list[str], now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO zalo_chat_options (chat_id, menu, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(chat_id) DO UPDATE SET menu = excluded.menu,"
            " updated_at = excluded.updated_at",
            (chat_id, json.dumps(labels, ensure_ascii=False), ts(now)),
        )


def _options(stored: str | None) -> dict[str, Any] | None:
    value = json.loads(stored) if stored is not None else None
    return value if isinstance(value, dict) else None


def _menu(stored: str | None) -> list[str]:
    value = json.loads(stored) if stored is not None else None
    return [str(v) for v in value] if isinstance(value, list) else []
