"""Loads the official province and commune/ward list into the database."""

from __future__ import annotations

import aiosqlite
from vietnam_provinces import Province as OfficialProvince
from vietnam_provinces import ProvinceCode

from bot.core.models import Commune, Province
from bot.core.registry.geo import official_communes
from storage.repos import Repos


def province_name(province_code: str) -> str:
    return str(OfficialProvince.from_code(ProvinceCode(int(province_code))).name)


async def load_official_geography(conn: aiosqlite.Connection, province_code: str) -> None:
    """Idempotent: run before an import so every official commune code can be referenced."""
    repos = Repos(conn)
    await repos.geo.upsert_province(Province(code=province_code,
                                             name=province_name(province_code)))
    for commune in official_communes(province_code):
        await repos.geo.upsert_commune(Commune(
            code=commune.code, province_code=province_code, name=commune.name,
            division_type=commune.division_type, former_district=commune.former_district,
        ))
