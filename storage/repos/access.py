"""Who someone is on a chat channel (identities), what they may do (role grants), and so who
can be reached where: the ``identities`` and ``role_grants`` tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.models import Channel, Identity, RoleGrant
from bot.core.permissions import Scope, ScopeKind, grant_scope
from bot.core.roles import Role
from storage.repos.sql import fetch_all, fetch_one, parse_ts, ts

#: One chat per person: Zalo first, since Telegram is restricted in Vietnam and most members
#: read Zalo every day; a person with only Telegram gets it there.
CHANNEL_PREFERENCE = ("zalo", "telegram")


class Recipient(BaseModel):
    """A member and one chat to reach them on (``channel`` None: no linked chat)."""

    model_config = ConfigDict(frozen=True)

    member_id: int
    name: str
    language: str | None
    scope_id: str | None = None      # a grant's commune code / province code / team id
    team_id: int | None = None
    channel: str | None = None
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



def _recipients(rows: Iterable[aiosqlite.Row]) -> list[Recipient]:
    return [Recipient(**dict(r)) for r in rows]


def _identity(row: aiosqlite.Row) -> Identity:
    data = dict(row)
    data["linked_at"] = parse_ts(data["linked_at"])
    return Identity(**data)


class AccessRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def identity(self, channel: Channel, external_id: str) -> Identity | None:
        row = await fetch_one(
            self.conn,
            "SELECT channel, external_id, member_id, chat_id, linked_at FROM identities"
            " WHERE channel = ? AND external_id = ?",
            (channel, external_id),
        )
        return _identity(row) if row else None

    async def identities_of(self, member_id: int) -> list[Identity]:
        rows = await fetch_all(
            self.conn,
            "SELECT channel, external_id, member_id, chat_id, linked_at FROM identities"
            " WHERE member_id = ? ORDER BY channel",
            (member_id,),
        )
        return [_identity(r) for r in rows]

    async def link(self, *, channel: Channel, external_id: str, chat_id: str, member_id: int,
                   now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO identities (channel, external_id, member_id, chat_id, linked_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (channel, external_id, member_id, chat_id, ts(now)),
        )

    async def grants_of(self, member_id: int) -> list[RoleGrant]:
        rows = await fetch_all(
            self.conn,
            "SELECT member_id, role, scope_kind, scope_id FROM role_grants WHERE member_id = ?"
            " ORDER BY id",
            (member_id,),
        )
        return [RoleGrant(**dict(r)) for r in rows]

    async def grant(self, *, member_id: int, role: Role, scope_kind: ScopeKind, scope_id: str,
                    granted_by: int | None, now: datetime) -> bool:
        """Give a role; whether it is new (granting twice changes nothing)."""
        cursor = await self.conn.execute(
            "INSERT INTO role_grants (member_id, role, scope_kind, scope_id, granted_at,"
            " granted_by) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(member_id, role, scope_kind, scope_id) DO NOTHING",
            (member_id, role.value, scope_kind, scope_id, ts(now), granted_by),
        )
        return cursor.rowcount > 0

    async def grant_role(self, *, member_id: int, role: Role, team_id: int | None,
                         commune_code: str | None, province_code: str | None,
                         granted_by: int | None, now: datetime) -> bool:
        """Give a role at the place it belongs to (a leader's team, a coordinator's commune...).

        Plain membership is ``members.team_id`` itself, so ``Role.MEMBER`` grants nothing.
        """
        scope = grant_scope(role, team_id=team_id, commune_code=commune_code,
                            province_code=province_code)
        if scope is None:
            return False
        return await self.grant(member_id=member_id, role=role, scope_kind=scope[0],
                                scope_id=scope[1], granted_by=granted_by, now=now)

    async def holders(self, role: Role, scope_kind: ScopeKind, scope_id: str) -> list[int]:
        rows = await fetch_all(
            self.conn,
            "SELECT member_id FROM role_grants WHERE role = ? AND scope_kind = ? AND scope_id = ?",
            (role.value, scope_kind, scope_id),
        )
        return [int(r[0]) for r in rows]

    async def revoke(self, member_id: int, *, role: str | None = None,
                     scope_kind: str | None = None, scope_id: str | None = None) -> int:
        """Remove role grants matching every given field; how many went."""
        cursor = await self.conn.execute(
            "DELETE FROM role_grants WHERE member_id = ? AND (? IS NULL OR role = ?)"
            " AND (? IS NULL OR scope_kind = ?) AND (? IS NULL OR scope_id = ?)",
            (member_id, role, role, scope_kind, scope_kind, scope_id, scope_id),
        )
        return cursor.rowcount

    # ------------------------------------------------------------------ reaching people

    async def recipients(self, scope: Scope, role: Role | None = None,
                         channels: Sequence[str] = CHANNEL_PREFERENCE) -> list[Recipient]:
        """Everyone in the audience, each with their best chat among ``channels`` (in order of
        preference), or none if they have no chat there."""
        place, place_params = _place(scope)
        with_role, role_params = _role(role)
        rows = await fetch_all(
            self.conn,
            "SELECT m.id, m.full_name, m.language, i.channel, i.chat_id FROM members m"
            " LEFT JOIN teams t ON t.id = m.team_id"
            " LEFT JOIN communes c ON c.code = t.commune_code"
            " LEFT JOIN identities i ON i.member_id = m.id"
            f" WHERE m.active AND {place} AND {with_role} ORDER BY m.id",
            [*place_params, *role_params],
        )
        best: dict[int, Recipient] = {}
        for member_id, name, language, channel, chat_id in rows:
            usable = channel in channels
            candidate = Recipient(member_id=member_id, name=name, language=language,
                                  channel=channel if usable else None,
                                  chat_id=chat_id if usable else None)
            current = best.get(member_id)
            if current is None or _rank(candidate, channels) < _rank(current, channels):
                best[member_id] = candidate
        return list(best.values())

    async def grant_holders(self, role: Role) -> list[Recipient]:
        """Active holders of a role, one row per linked chat (or one without a chat)."""
        rows = await fetch_all(
            self.conn,
            "SELECT m.id AS member_id, m.full_name AS name, m.language, g.scope_id,"
            " m.team_id, i.channel, i.chat_id FROM role_grants g"
            " JOIN members m ON m.id = g.member_id AND m.active"
            " LEFT JOIN identities i ON i.member_id = m.id"
            " WHERE g.role = ? ORDER BY g.scope_id, m.id, i.channel",
            (role.value,),
        )
        return _recipients(rows)

    async def team_members(self, province: str) -> list[Recipient]:
        """Active members of the province's active teams, one row per linked chat."""
        rows = await fetch_all(
            self.conn,
            "SELECT m.id AS member_id, m.full_name AS name, m.language, m.team_id,"
            " i.channel, i.chat_id FROM members m"
            " JOIN teams t ON t.id = m.team_id AND t.active"
            " JOIN communes c ON c.code = t.commune_code AND c.province_code = ?"
            " LEFT JOIN identities i ON i.member_id = m.id"
            " WHERE m.active ORDER BY t.id, m.name_key, i.channel",
            (province,),
        )
        return _recipients(rows)


def _rank(recipient: Recipient, channels: Sequence[str]) -> int:
    return channels.index(recipient.channel) if recipient.channel in channels else len(channels)
