"""Finding and fixing people and teams from the chat: search, rename, move, roles, deactivate.

Search is diacritics-insensitive (``name_key`` holds the folded name) and always bounded by a
scope, so a commune coordinator never sees another commune's people.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.models import Member, Team, TeamKind
from bot.core.permissions import Scope
from bot.core.text import fold
from storage.repos._sql import fetch_all, fetch_one, parse_ts, ts
from storage.repos.scope_sql import teams_in

_TEAM_SELECT = (
    "SELECT t.id, t.commune_code, c.name AS commune_name, c.province_code, t.name, t.kind,"
    " t.former_district, t.former_commune, t.active"
    " FROM teams t JOIN communes c ON c.code = t.commune_code"
)


class PersonRow(BaseModel):
    """A member with where they belong, for lists and cards."""

    model_config = ConfigDict(frozen=True)

    member: Member
    team: Team | None


def _like(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PeopleRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    # ------------------------------------------------------------------ people

    async def search_members(self, scopes: list[Scope], text: str, *, limit: int = 10,
                             include_inactive: bool = False,
                             teamless: bool = False) -> list[PersonRow]:
        """Members whose name contains ``text`` (any diacritics) within any of ``scopes``.

        ``teamless`` also finds people outside every team (province coordinators, admins) —
        only for someone whose scope is the whole province.
        """
        if not scopes:
            return []
        clauses, params = [], []
        for scope in scopes:
            where, extra = teams_in(scope)
            clauses.append(f"({where})")
            params += extra
        place = " OR ".join(clauses)
        if teamless:
            place = f"({place}) OR m.team_id IS NULL"
        active = "" if include_inactive else " AND m.active"
        rows = await fetch_all(
            self.conn,
            "SELECT m.id FROM members m LEFT JOIN teams t ON t.id = m.team_id"
            " LEFT JOIN communes c ON c.code = t.commune_code"
            f" WHERE m.name_key LIKE ? ESCAPE '\\' AND ({place}){active}"
            " ORDER BY m.name_key, m.id LIMIT ?",
            [_like(text), *params, limit],
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
        team = await self.team(member.team_id) if member.team_id else None
        return PersonRow(member=member, team=team)

    async def rename_member(self, member_id: int, full_name: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE members SET full_name = ?, name_key = ?, updated_at = ? WHERE id = ?",
            (full_name, fold(full_name), ts(now), member_id),
        )

    async def move_member(self, member_id: int, team_id: int, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE members SET team_id = ?, updated_at = ? WHERE id = ?",
            (team_id, ts(now), member_id),
        )

    async def set_member_active(self, member_id: int, active: bool, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE members SET active = ?, updated_at = ? WHERE id = ?",
            (int(active), ts(now), member_id),
        )

    async def phone_taken(self, phone: str) -> bool:
        row = await fetch_one(self.conn, "SELECT 1 FROM members WHERE phone = ?", (phone,))
        return row is not None

    async def revoke_grants(self, member_id: int, *, role: str | None = None,
                            scope_kind: str | None = None, scope_id: str | None = None) -> int:
        """Remove role grants matching every given field; how many went."""
        cursor = await self.conn.execute(
            "DELETE FROM role_grants WHERE member_id = ? AND (? IS NULL OR role = ?)"
            " AND (? IS NULL OR scope_kind = ?) AND (? IS NULL OR scope_id = ?)",
            (member_id, role, role, scope_kind, scope_kind, scope_id, scope_id),
        )
        return cursor.rowcount

    # ------------------------------------------------------------------ teams

    async def team(self, team_id: int) -> Team | None:
        """A team, active or not (``TeamRepo.get`` is the same; kept here for one import)."""
        row = await fetch_one(self.conn, f"{_TEAM_SELECT} WHERE t.id = ?", (team_id,))
        return Team(**dict(row)) if row else None

    async def search_teams(self, scopes: list[Scope], text: str, *, limit: int = 10
                           ) -> list[Team]:
        if not scopes:
            return []
        clauses, params = [], []
        for scope in scopes:
            where, extra = teams_in(scope)
            clauses.append(f"({where})")
            params += extra
        rows = await fetch_all(
            self.conn,
            f"{_TEAM_SELECT} WHERE t.active AND t.name_key LIKE ? ESCAPE '\\'"
            f" AND ({' OR '.join(clauses)}) ORDER BY t.name_key = ? DESC,"
            " natsort(c.name), natsort(t.name) LIMIT ?",
            [_like(text), *params, fold(text), limit],
        )
        teams = [Team(**dict(r)) for r in rows]
        # "Ấp 1" means Ấp 1, not also Ấp 10 to Ấp 19: an exact name wins outright.
        exact = [t for t in teams if fold(t.name) == fold(text)]
        return exact or teams

    async def add_team(self, commune_code: str, name: str, kind: TeamKind,
                       now: datetime) -> int | None:
        """A new team; None if the commune already has one of that name (any diacritics).

        A deactivated team of the same name comes back instead of a duplicate.
        """
        existing = await fetch_one(
            self.conn, "SELECT id, active FROM teams WHERE commune_code = ? AND name_key = ?",
            (commune_code, fold(name)),
        )
        if existing is not None:
            if existing["active"]:
                return None
            await self.conn.execute(
                "UPDATE teams SET active = 1, name = ?, updated_at = ? WHERE id = ?",
                (name, ts(now), existing["id"]),
            )
            return int(existing["id"])
        cursor = await self.conn.execute(
            "INSERT INTO teams (commune_code, name, name_key, kind, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (commune_code, name, fold(name), kind, ts(now), ts(now)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def rename_team(self, team_id: int, name: str, now: datetime) -> bool:
        """False when another team of the commune already has that name."""
        team = await self.team(team_id)
        if team is None:
            return False
        clash = await fetch_one(
            self.conn,
            "SELECT 1 FROM teams WHERE commune_code = ? AND name_key = ? AND id != ?",
            (team.commune_code, fold(name), team_id),
        )
        if clash is not None:
            return False
        await self.conn.execute(
            "UPDATE teams SET name = ?, name_key = ?, updated_at = ? WHERE id = ?",
            (name, fold(name), ts(now), team_id),
        )
        return True

    async def set_team_active(self, team_id: int, active: bool, now: datetime) -> None:
        await self.conn.execute("UPDATE teams SET active = ?, updated_at = ? WHERE id = ?",
                                (int(active), ts(now), team_id))

    async def active_members_in_team(self, team_id: int) -> int:
        row = await fetch_one(self.conn,
                              "SELECT COUNT(*) FROM members WHERE team_id = ? AND active",
                              (team_id,))
        return int(row[0]) if row else 0
