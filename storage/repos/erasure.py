"""Erasing a person (/forget): the member aggregate's deletion, across the tables that name them.

Erasing keeps the member's row without anything personal in it (no name, phone, language, chat
identity, role), so their sessions stay counted for their team, with notes and photos removed.
Whatever else names their chats goes: flows, visitor settings, queued messages, wrong-code
counts, the inbox keys of their chats, pending imports; and their name, phone and
chat ids are blanked out of the audit entries about them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.core.models import Channel, Identity
from storage.repos.sessions import SessionRepo
from storage.repos.sql import fetch_all, ts

#: What an erased member is called wherever old figures list people (exports, audit).
ERASED_NAME = "—"
_BLANK = "—"


@dataclass(frozen=True)
class Erasure:
    sessions_kept: int
    identities: int


class ErasureRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def erase(self, member_id: int, identities: list[Identity], now: datetime) -> Erasure:
        """Erase the member's personal data (inside the caller's write transaction)."""
        person = await fetch_all(self.conn, "SELECT full_name, phone FROM members WHERE id = ?",
                                 (member_id,))
        personal = {str(v) for row in person for v in row if v}
        personal |= {i.external_id for i in identities} | {i.chat_id for i in identities}
        conn = self.conn
        await conn.execute(
            "UPDATE members SET full_name = ?, name_key = '', phone = NULL, language = NULL,"
            " active = 0, erased_at = ?, updated_at = ? WHERE id = ?",
            (ERASED_NAME, ts(now), ts(now), member_id))
        await conn.execute("DELETE FROM role_grants WHERE member_id = ?", (member_id,))
        await conn.execute("UPDATE sessions SET note = NULL, photo_ref = NULL WHERE member_id = ?",
                           (member_id,))
        await conn.execute("DELETE FROM outbox WHERE member_id = ?", (member_id,))
        await conn.execute("DELETE FROM pending_imports WHERE member_id = ?", (member_id,))
        # Their browser sessions and unused login links end with them.
        await conn.execute("DELETE FROM web_sessions WHERE member_id = ?", (member_id,))
        await conn.execute("DELETE FROM web_login_links WHERE member_id = ?", (member_id,))
        for identity in identities:
            await self._forget_chat(identity.channel, identity.external_id, identity.chat_id)
        await conn.execute("DELETE FROM identities WHERE member_id = ?", (member_id,))
        personal |= await self._renamed_from(member_id)
        await self._blank_audit(member_id, personal)
        kept = await SessionRepo(self.conn).count_of(member_id)
        return Erasure(sessions_kept=kept, identities=len(identities))

    async def forget_visitor(self, channel: Channel, external_id: str) -> None:
        await self.conn.execute(
            "DELETE FROM visitor_prefs WHERE channel = ? AND external_id = ?",
            (channel, external_id))

    async def _forget_chat(self, channel: Channel, external_id: str, chat_id: str) -> None:
        conn = self.conn
        await conn.execute("DELETE FROM visitor_prefs WHERE channel = ? AND external_id = ?",
                           (channel, external_id))
        await conn.execute("DELETE FROM join_failures WHERE channel = ? AND external_id = ?",
                           (channel, external_id))
        await conn.execute("DELETE FROM chat_flows WHERE channel = ? AND chat_id = ?",
                           (channel, chat_id))
        await conn.execute("DELETE FROM outbox WHERE channel = ? AND chat_id = ?",
                           (channel, chat_id))
        await conn.execute("DELETE FROM pending_imports WHERE channel = ? AND chat_id = ?",
                           (channel, chat_id))
        if channel == "zalo":
            await conn.execute("DELETE FROM zalo_chat_options WHERE chat_id = ?", (chat_id,))
        await conn.execute("DELETE FROM inbox WHERE channel = ? AND chat_id = ?",
                           (channel, chat_id))

    async def _renamed_from(self, member_id: int) -> set[str]:
        """Names the member had before a rename (kept in the audit entries of the rename)."""
        rows = await fetch_all(
            self.conn, "SELECT details FROM audit_log WHERE target = ? AND action = ?",
            (f"member:{member_id}", "member.rename"))
        names: set[str] = set()
        for row in rows:
            details = json.loads(row[0])
            names |= {str(details[k]) for k in ("old", "new") if details.get(k)}
        return names

    async def _blank_audit(self, member_id: int, personal: set[str]) -> None:
        rows = await fetch_all(
            self.conn,
            "SELECT id, details FROM audit_log WHERE actor_member_id = ? OR target = ?",
            (member_id, f"member:{member_id}"))
        for row in rows:
            details = json.loads(row[1])
            blanked = {key: _BLANK if isinstance(value, str) and value in personal else value
                       for key, value in details.items()}
            if blanked != details:
                await self.conn.execute("UPDATE audit_log SET details = ? WHERE id = ?",
                                        (json.dumps(blanked, ensure_ascii=False), row[0]))
