"""Invitations: a code (and deep link) that lets a person join a team with a role."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.models import Invitation
from bot.core.roles import Role
from storage.repos.sql import fetch_one, parse_ts, ts


class InvitationRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def create(self, invitation: Invitation) -> None:
        await self.conn.execute(
            "INSERT INTO invitations (code, role, team_id, commune_code, province_code,"
            " member_id, max_uses, uses, expires_at, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (
                invitation.code, invitation.role.value, invitation.team_id,
                invitation.commune_code, invitation.province_code, invitation.member_id,
                invitation.max_uses,
                ts(invitation.expires_at) if invitation.expires_at else None,
                invitation.created_by, ts(invitation.created_at),
            ),
        )

    async def get(self, code: str) -> Invitation | None:
        row = await fetch_one(self.conn, "SELECT * FROM invitations WHERE code = ?", (code,))
        if row is None:
            return None
        data = dict(row)
        for key in ("expires_at", "created_at", "revoked_at"):
            data[key] = parse_ts(data[key])
        data["role"] = Role(data["role"])
        return Invitation(**data)

    async def use(self, code: str) -> bool:
        """Count one use, unless it is used up: a last single-use code cannot be taken twice."""
        cursor = await self.conn.execute(
            "UPDATE invitations SET uses = uses + 1"
            " WHERE code = ? AND (max_uses IS NULL OR uses < max_uses)",
            (code,),
        )
        return cursor.rowcount > 0

    async def revoke(self, code: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE invitations SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL",
            (ts(now), code),
        )
