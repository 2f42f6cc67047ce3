"""Who someone is on a chat channel (identities) and what they may do (role grants)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.models import Channel, Identity, RoleGrant
from bot.core.permissions import ScopeKind, grant_scope
from bot.core.roles import Role
from storage.repos._sql import fetch_all, fetch_one, parse_ts, ts


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


def _identity(row: aiosqlite.Row) -> Identity:
    data = dict(row)
    data["linked_at"] = parse_ts(data["linked_at"])
    return Identity(**data)
