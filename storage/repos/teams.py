"""Teams (tổ công nghệ số cộng đồng) at hamlet/area level: the ``teams`` table.

Search is diacritics-insensitive (``name_key`` holds the folded name) and always bounded by a
scope, so a commune coordinator never sees another commune's teams.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.models import Team, TeamKind
from bot.core.permissions import Scope
from bot.core.text import fold
from storage.repos.scope_sql import teams_in_any
from storage.repos.sql import fetch_all, fetch_one, like_pattern, scalar, ts

Change = Literal["new", "changed", "same"]

#: A :class:`Team`'s columns, in its fields' order, of ``teams t`` joined to ``communes c``.
TEAM_COLUMNS = ("t.id, t.commune_code, c.name AS commune_name, c.province_code, t.name, t.kind,"
                " t.former_district, t.former_commune, t.active")
_SELECT = f"SELECT {TEAM_COLUMNS} FROM teams t JOIN communes c ON c.code = t.commune_code"


class TeamRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    team_id: int
    name: str
    commune_code: str


class TeamRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def get(self, team_id: int) -> Team | None:
        row = await fetch_one(self.conn, f"{_SELECT} WHERE t.id = ?", (team_id,))
        return Team(**dict(row)) if row else None

    async def find(self, commune_code: str, name: str) -> Team | None:
        row = await fetch_one(
            self.conn, f"{_SELECT} WHERE t.commune_code = ? AND t.name_key = ?",
            (commune_code, fold(name)),
        )
        return Team(**dict(row)) if row else None

    async def in_commune(self, commune_code: str) -> list[Team]:
        rows = await fetch_all(
            self.conn, f"{_SELECT} WHERE t.commune_code = ? AND t.active ORDER BY natsort(t.name)",
            (commune_code,),
        )
        return [Team(**dict(r)) for r in rows]

    async def count(self) -> int:
        return int(await scalar(self.conn, "SELECT COUNT(*) FROM teams WHERE active"))

    async def upsert(
        self,
        *,
        commune_code: str,
        name: str,
        kind: TeamKind,
        former_district: str | None,
        former_commune: str | None,
        now: datetime,
    ) -> tuple[int, Change]:
        """Insert or update on the natural key (commune, folded name)."""
        existing = await fetch_one(
            self.conn,
            "SELECT id, name, kind, former_district, former_commune FROM teams"
            " WHERE commune_code = ? AND name_key = ?",
            (commune_code, fold(name)),
        )
        if existing is None:
            cursor = await self.conn.execute(
                "INSERT INTO teams (commune_code, name, name_key, kind, former_district,"
                " former_commune, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (commune_code, name, fold(name), kind, former_district, former_commune,
                 ts(now), ts(now)),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid, "new"
        wanted = (name, kind, former_district, former_commune)
        if tuple(existing)[1:] == wanted:
            return int(existing["id"]), "same"
        await self.conn.execute(
            "UPDATE teams SET name = ?, kind = ?, former_district = ?, former_commune = ?,"
            " updated_at = ? WHERE id = ?",
            (*wanted, ts(now), existing["id"]),
        )
        return int(existing["id"]), "changed"

    async def search(self, scopes: list[Scope], text: str, *, limit: int = 10) -> list[Team]:
        if not scopes:
            return []
        place, params = teams_in_any(scopes)
        rows = await fetch_all(
            self.conn,
            f"{_SELECT} WHERE t.active AND t.name_key LIKE ? ESCAPE '\\'"
            f" AND ({place}) ORDER BY t.name_key = ? DESC,"
            " natsort(c.name), natsort(t.name) LIMIT ?",
            [like_pattern(text), *params, fold(text), limit],
        )
        teams = [Team(**dict(r)) for r in rows]
        # "Ấp 1" means Ấp 1, not also Ấp 10 to Ấp 19: an exact name wins outright.
        exact = [t for t in teams if fold(t.name) == fold(text)]
        return exact or teams

    async def add(self, commune_code: str, name: str, kind: TeamKind,
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

    async def rename(self, team_id: int, name: str, now: datetime) -> bool:
        """False when another team of the commune already has that name."""
        team = await self.get(team_id)
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

    async def set_active(self, team_id: int, active: bool, now: datetime) -> None:
        await self.conn.execute("UPDATE teams SET active = ?, updated_at = ? WHERE id = ?",
                                (int(active), ts(now), team_id))

    async def refs(self, province: str) -> list[TeamRef]:
        """The province's active teams, for the weekly reminders."""
        rows = await fetch_all(
            self.conn,
            "SELECT t.id, t.name, t.commune_code FROM teams t JOIN communes c"
            " ON c.code = t.commune_code WHERE t.active AND c.province_code = ?"
            " ORDER BY natsort(t.name)", (province,))
        return [TeamRef(team_id=r[0], name=r[1], commune_code=r[2]) for r in rows]
