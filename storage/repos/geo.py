"""Provinces and communes/wards, loaded from the official list."""

from __future__ import annotations

import aiosqlite

from bot.core.models import Commune, Province
from bot.core.text import fold
from storage.repos.sql import fetch_all, fetch_one


class GeoRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def upsert_province(self, province: Province) -> None:
        await self.conn.execute(
            "INSERT INTO provinces (code, name) VALUES (?, ?)"
            " ON CONFLICT(code) DO UPDATE SET name = excluded.name",
            (province.code, province.name),
        )

    async def upsert_commune(self, commune: Commune) -> None:
        await self.conn.execute(
            "INSERT INTO communes (code, province_code, name, name_key, division_type,"
            " former_district) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
            " name_key = excluded.name_key, division_type = excluded.division_type,"
            " former_district = COALESCE(excluded.former_district, communes.former_district)",
            (commune.code, commune.province_code, commune.name, fold(commune.name),
             commune.division_type, commune.former_district),
        )

    async def provinces(self) -> list[Province]:
        """The province(s) this database holds: one, or none before the first start."""
        rows = await fetch_all(self.conn, "SELECT code, name FROM provinces ORDER BY code")
        return [Province(**dict(r)) for r in rows]

    async def province(self, code: str) -> Province | None:
        row = await fetch_one(self.conn, "SELECT code, name FROM provinces WHERE code = ?", (code,))
        return Province(**dict(row)) if row else None

    async def commune(self, code: str) -> Commune | None:
        row = await fetch_one(
            self.conn,
            "SELECT code, province_code, name, division_type, former_district"
            " FROM communes WHERE code = ?",
            (code,),
        )
        return Commune(**dict(row)) if row else None

    async def communes_with_teams(self, province_code: str) -> list[Commune]:
        rows = await fetch_all(
            self.conn,
            "SELECT code, province_code, name, division_type, former_district FROM communes c"
            " WHERE province_code = ? AND EXISTS (SELECT 1 FROM teams t"
            " WHERE t.commune_code = c.code AND t.active) ORDER BY natsort(name)",
            (province_code,),
        )
        return [Commune(**dict(r)) for r in rows]
