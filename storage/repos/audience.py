"""Who a broadcast reaches: the people of a place (or holding a role there) and their chats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.permissions import Scope
from bot.core.roles import Role
from storage.repos._sql import fetch_all

#: One chat per person: Zalo first, since Telegram is restricted in Vietnam and most members
#: read Zalo every day; a person with only Telegram gets it there.
CHANNEL_PREFERENCE = ("zalo", "telegram")


class Recipient(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: int
    language: str | None
    channel: str | None = None   # None: no linked chat, cannot be reached
    chat_id: str | None = None


def _place(scope: Scope) -> tuple[str, list[Any]]:
    """Members whose team, or whose coordinator grant, lies in the scope."""
    if scope.team is not None:
        return "m.team_id = ?", [scope.team]
    if scope.commune is not None:
        return ("(t.commune_code = ? OR EXISTS (SELECT 1 FROM role_grants g WHERE"
                " g.member_id = m.id AND g.scope_kind = 'commune' AND g.scope_id = ?))",
                [scope.commune, scope.commune])
    if scope.province is not None:
        return ("(c.province_code = ? OR EXISTS (SELECT 1 FROM role_grants g WHERE"
                " g.member_id = m.id AND ((g.scope_kind = 'province' AND g.scope_id = ?)"
                " OR (g.scope_kind = 'commune' AND g.scope_id IN"
                " (SELECT code FROM communes WHERE province_code = ?)))))",
                [scope.province, scope.province, scope.province])
    return "1", []


def _role(role: Role | None) -> tuple[str, list[Any]]:
    if role is None or role is Role.MEMBER:
        return "1", []
    return ("EXISTS (SELECT 1 FROM role_grants g WHERE g.member_id = m.id AND g.role = ?)",
            [role.value])


class AudienceRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def recipients(self, scope: Scope, role: Role | None = None,
                         channels: Sequence[str] = CHANNEL_PREFERENCE) -> list[Recipient]:
        """Everyone in the audience, each with their best chat among ``channels`` (in order of
        preference), or none if they have no chat there."""
        place, place_params = _place(scope)
        with_role, role_params = _role(role)
        rows = await fetch_all(
            self.conn,
            "SELECT m.id, m.language, i.channel, i.chat_id FROM members m"
            " LEFT JOIN teams t ON t.id = m.team_id"
            " LEFT JOIN communes c ON c.code = t.commune_code"
            " LEFT JOIN identities i ON i.member_id = m.id"
            f" WHERE m.active AND {place} AND {with_role} ORDER BY m.id",
            [*place_params, *role_params],
        )
        best: dict[int, Recipient] = {}
        for member_id, language, channel, chat_id in rows:
            usable = channel in channels
            candidate = Recipient(member_id=member_id, language=language,
                                  channel=channel if usable else None,
                                  chat_id=chat_id if usable else None)
            current = best.get(member_id)
            if current is None or _rank(candidate, channels) < _rank(current, channels):
                best[member_id] = candidate
        return list(best.values())


def _rank(recipient: Recipient, channels: Sequence[str]) -> int:
    return channels.index(recipient.channel) if recipient.channel in channels else len(channels)
