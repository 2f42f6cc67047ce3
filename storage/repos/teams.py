"""Teams (tổ công nghệ số cộng đồng) at hamlet/area level."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import aiosqlite

from bot.core.models import Team, TeamKind
from bot.core.text import fold
from storage.repos._sql import fetch_all, fetch_one, scalar, ts

Change = Literal["new", "changed", "same"]

_SELECT = (
    "SELECT t.id, t.commune_code, c.name AS commune_name, c.province_code, t.name, t.kind,"
    " t.former_district, t.former_commune, t.active"
    " FROM teams t JOIN communes c ON c.code = t.commune_code"
)


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
