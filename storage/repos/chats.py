"""Per-chat bookkeeping: flows in progress and visitors' language."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import aiosqlite

from bot.core import flows
from bot.core.flows import FlowState
from bot.core.models import Channel, ChatFlow
from storage.repos.sql import fetch_one, parse_ts, ts


class ChatRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def flow(self, channel: Channel, chat_id: str) -> ChatFlow | None:
        """The chat's flow in progress; its ``state`` is None when the row is no flow of this
        bot (see :mod:`bot.core.flows`)."""
        row = await fetch_one(
            self.conn,
            "SELECT flow, step, data, updated_at FROM chat_flows WHERE channel = ? AND chat_id = ?",
            (channel, chat_id),
        )
        if row is None:
            return None
        name, step, data, updated_at = row
        return ChatFlow(channel=channel, chat_id=chat_id, name=name,
                        state=flows.decode(name, step, data), updated_at=parse_ts(updated_at))

    async def set_flow(self, channel: Channel, chat_id: str, state: FlowState,
                       now: datetime) -> None:
        await self.conn.execute(*set_flow_statement(channel, chat_id, state, now))

    async def clear_flow(self, channel: Channel, chat_id: str) -> bool:
        cursor = await self.conn.execute(
            "DELETE FROM chat_flows WHERE channel = ? AND chat_id = ?", (channel, chat_id)
        )
        return cursor.rowcount > 0

    async def visitor_language(self, channel: Channel, external_id: str) -> str | None:
        row = await fetch_one(
            self.conn,
            "SELECT language FROM visitor_prefs WHERE channel = ? AND external_id = ?",
            (channel, external_id),
        )
        return str(row[0]) if row else None

    async def set_visitor_language(self, channel: Channel, external_id: str,
                                   language: Literal["vi", "en"]) -> None:
        await self.conn.execute(
            "INSERT INTO visitor_prefs (channel, external_id, language) VALUES (?, ?, ?)"
            " ON CONFLICT(channel, external_id) DO UPDATE SET language = excluded.language",
            (channel, external_id, language),
        )


def set_flow_statement(channel: Channel, chat_id: str, state: FlowState,
                       now: datetime) -> tuple[str, tuple[object, ...]]:
    """The one statement that makes ``state`` the chat's flow in progress: on its own it is a
    transaction of its own (``Database.write_one``), one trip to the database thread where
    BEGIN, statement and COMMIT were three — a flow step is most of a guided entry's updates."""
    name, step, data = flows.encode(state)
    return ("INSERT INTO chat_flows (channel, chat_id, flow, step, data, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(channel, chat_id) DO UPDATE SET"
            " flow = excluded.flow, step = excluded.step, data = excluded.data,"
            " updated_at = excluded.updated_at",
            (channel, chat_id, name, step, data, ts(now)))
