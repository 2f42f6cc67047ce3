"""Members: the people in the registry."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.models import Channel, Member, RoleGrant, Team
from bot.core.permissions import Scope
from bot.core.text import fold
from storage.repos.scope_sql import teams_in_any
from storage.repos.sql import fetch_all, fetch_one, like_pattern, parse_ts, scalar, ts
from storage.repos.teams import TEAM_COLUMNS, TeamRepo

_COLUMNS = "m.id, m.team_id, m.full_name, m.phone, m.language, m.active, m.created_at"


def _member(row: aiosqlite.Row) -> Member:
    data = dict(row)
    data["created_at"] = parse_ts(data["created_at"])
    return Member(**data)


class PersonRow(BaseModel):
    """A member with where they belong, for lists and cards."""

    model_config = ConfigDict(frozen=True)

    member: Member
    team: Team | None


class MemberRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def get(self, member_id: int) -> Member | None:
        row = await fetch_one(self.conn, f"SELECT {_COLUMNS} FROM members m WHERE m.id = ?",
                              (member_id,))
        return _member(row) if row else None

    async def by_identity(self, channel: Channel, external_id: str) -> Member | None:
        row = await fetch_one(
            self.conn,
            f"SELECT {_COLUMNS} FROM members m JOIN identities i ON i.member_id = m.id"
            " WHERE i.channel = ? AND i.external_id = ?",
            (channel, external_id),
        )
        return _member(row) if row else None

    async def caller(self, channel: Channel, external_id: str
                     ) -> tuple[Member, Team | None, list[RoleGrant]] | None:
        """:meth:`by_identity` with the member's team and role grants, in one statement: who
        is asking is read for every update, and three trips to the database thread were a
        quarter of a typed message's."""
        row = await fetch_one(
            self.conn,
            f"SELECT {_COLUMNS}, {TEAM_COLUMNS},"
            " (SELECT json_group_array(json_array(g.role, g.scope_kind, g.scope_id))"
            "  FROM (SELECT role, scope_kind, scope_id FROM role_grants"
            "        WHERE member_id = m.id ORDER BY id) g)"
            " FROM members m JOIN identities i ON i.member_id = m.id"
            " LEFT JOIN teams t ON t.id = m.team_id LEFT JOIN communes c ON c.code = t.commune_code"
            " WHERE i.channel = ? AND i.external_id = ?",
            (channel, external_id),
        )
        if row is None:
            return None
        member = Member(id=row[0], team_id=row[1], full_name=row[2], phone=row[3],
                        language=row[4], active=row[5], created_at=parse_ts(row[6]))
        team = None if row[7] is None else Team(
            id=row[7], commune_code=row[8], commune_name=row[9], province_code=row[10],
            name=row[11], kind=row[12], former_district=row[13], former_commune=row[14],
            active=row[15])
        grants = [RoleGrant(member_id=member.id, role=role, scope_kind=kind, scope_id=scope)
                  for role, kind, scope in json.loads(row[16])]
        return member, team, grants

    async def by_phone(self, phone: str) -> Member | None:
        row = await fetch_one(self.conn, f"SELECT {_COLUMNS} FROM members m WHERE m.phone = ?",
                              (phone,))
        return _member(row) if row else None

    async def by_name_in_team(self, team_id: int | None, full_name: str) -> Member | None:
        row = await fetch_one(
            self.conn,
            f"SELECT {_COLUMNS} FROM members m WHERE m.team_id IS ? AND m.name_key = ?"
            " ORDER BY m.id LIMIT 1",
            (team_id, fold(full_name)),
        )
        return _member(row) if row else None

    async def in_team(self, team_id: int) -> list[Member]:
        rows = await fetch_all(
            self.conn,
            f"SELECT {_COLUMNS} FROM members m WHERE m.team_id = ? AND m.active"
            " ORDER BY m.name_key",
            (team_id,),
        )
        return [_member(r) for r in rows]

    async def unlinked_in_team(self, team_id: int, channel: Channel) -> list[Member]:
        """Members of a team with no identity on this channel yet: who a newcomer may be."""
        rows = await fetch_all(
            self.conn,
            f"SELECT {_COLUMNS} FROM members m WHERE m.team_id = ? AND m.active AND NOT EXISTS"
            " (SELECT 1 FROM identities i WHERE i.member_id = m.id AND i.channel = ?)"
            " ORDER BY m.name_key",
            (team_id, channel),
        )
        return [_member(r) for r in rows]

    async def count(self) -> int:
        return int(await scalar(self.conn, "SELECT COUNT(*) FROM members WHERE active"))

    async def create(
        self,
        *,
        full_name: str,
        team_id: int | None,
        phone: str | None,
        language: Literal["vi", "en"] | None,
        now: datetime,
    ) -> int:
        cursor = await self.conn.execute(
            "INSERT INTO members (team_id, full_name, name_key, phone, language, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (team_id, full_name, fold(full_name), phone, language, ts(now), ts(now)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def update_fields(
        self,
        member_id: int,
        *,
        full_name: str,
        team_id: int | None,
        phone: str | None,
        language: Literal["vi", "en"] | None,
        now: datetime,
    ) -> bool:
        """Set the registry fields; whether anything changed."""
        current = await fetch_one(
            self.conn,
            "SELECT full_name, team_id, phone, language, active FROM members WHERE id = ?",
            (member_id,),
        )
        wanted = (full_name, team_id, phone, language, 1)
        if current is not None and tuple(current) == wanted:
            return False
        await self.conn.execute(
            "UPDATE members SET full_name = ?, name_key = ?, team_id = ?, phone = ?,"
            " language = ?, active = 1, updated_at = ? WHERE id = ?",
            (full_name, fold(full_name), team_id, phone, language, ts(now), member_id),
        )
        return True

    async def set_language(self, member_id: int, language: Literal["vi", "en"],
                           now: datetime) -> None:
        await self.conn.execute(
            "UPDATE members SET language = ?, updated_at = ? WHERE id = ?",
            (language, ts(now), member_id),
        )

    async def search(self, scopes: list[Scope], text: str, *, limit: int = 10,
                     include_inactive: bool = False,
                     teamless: bool = False) -> list[PersonRow]:
        """Members whose name contains ``text`` (any diacritics) within any of ``scopes``.

        ``teamless`` also finds people outside every team (province coordinators, admins) —
        only for someone whose scope is the whole province.
        """
        if not scopes:
            return []
        place, params = teams_in_any(scopes)
        if teamless:
            place = f"({place}) OR m.team_id IS NULL"
        active = "" if include_inactive else " AND m.active"
        rows = await fetch_all(
            self.conn,
            "SELECT m.id FROM members m LEFT JOIN teams t ON t.id = m.team_id"
            " LEFT JOIN communes c ON c.code = t.commune_code"
            f" WHERE m.name_key LIKE ? ESCAPE '\\' AND ({place}){active}"
            " ORDER BY m.name_key, m.id LIMIT ?",
            [like_pattern(text), *params, limit],
        )
        return [row for r in rows if (row := await self.person(int(r[0]))) is not None]

    async def person(self, member_id: int) -> PersonRow | None:
        row = await fetch_one(
            self.conn,
            "SELECT id, team_id, full_name, phone, language, active, created_at FROM members"
            " WHERE id = ?",
            (member_id,),
        )
        if row is None:
            return None
        data = dict(row)
        data["created_at"] = parse_ts(data["created_at"])
        member = Member(**data)
        team = await TeamRepo(self.conn).get(member.team_id) if member.team_id else None
        return PersonRow(member=member, team=team)

    async def rename(self, member_id: int, full_name: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE members SET full_name = ?, name_key = ?, updated_at = ? WHERE id = ?",
            (full_name, fold(full_name), ts(now), member_id),
        )

    async def move_to_team(self, member_id: int, team_id: int, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE members SET team_id = ?, updated_at = ? WHERE id = ?",
            (team_id, ts(now), member_id),
        )

    async def set_active(self, member_id: int, active: bool, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE members SET active = ?, updated_at = ? WHERE id = ?",
            (int(active), ts(now), member_id),
        )

    async def phone_taken(self, phone: str) -> bool:
        row = await fetch_one(self.conn, "SELECT 1 FROM members WHERE phone = ?", (phone,))
        return row is not None

    async def active_in_team(self, team_id: int) -> int:
        row = await fetch_one(self.conn,
                              "SELECT COUNT(*) FROM members WHERE team_id = ? AND active",
                              (team_id,))
        return int(row[0]) if row else 0

    async def is_erased(self, member_id: int) -> bool:
        value = await scalar(self.conn, "SELECT erased_at FROM members WHERE id = ?",
                             (member_id,))
        return value is not None
