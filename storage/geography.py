"""The official province and its communes/wards in the database — and one province per database.

Each deployment serves the province of its ``PROVINCE_CODE``. The ``provinces`` table records
which one a database belongs to: the first start (or import) claims an empty database for the
configured province, and a database of another province is refused with one clear line rather
than mixing two provinces' registries and figures (migration 0008 guards the table itself too).
"""

from __future__ import annotations

import aiosqlite

from bot.core.models import Commune, Province
from bot.core.registry.geo import official_communes
from bot.core.registry.provinces import province_info
from storage.db import Database
from storage.repos import Repos


class ProvinceMismatch(Exception):
    """The database belongs to another province than the configured one."""

    def __init__(self, stored: Province, configured: str) -> None:
        wanted = province_info(configured)
        super().__init__(
            f"this database belongs to {stored.name} (PROVINCE_CODE={stored.code}), but "
            f"PROVINCE_CODE is {wanted.code} ({wanted.name}); point DATABASE_PATH at the "
            f"database of {wanted.name}, or set PROVINCE_CODE={stored.code}")
        self.stored = stored
        self.configured = wanted.code


def province_name(province_code: str) -> str:
    return province_info(province_code).name


async def check_province(conn: aiosqlite.Connection, province_code: str) -> None:
    """Raise :class:`ProvinceMismatch` when the database belongs to another province."""
    code = province_info(province_code).code
    for stored in await Repos(conn).geo.provinces():
        if stored.code != code:
            raise ProvinceMismatch(stored, code)


async def load_official_geography(conn: aiosqlite.Connection, province_code: str) -> None:
    """Idempotent: run before an import so every official commune code can be referenced."""
    await check_province(conn, province_code)
    repos = Repos(conn)
    code = province_info(province_code).code
    await repos.geo.upsert_province(Province(code=code, name=province_name(code)))
    for commune in official_communes(code):
        await repos.geo.upsert_commune(Commune(
            code=commune.code, province_code=code, name=commune.name,
            division_type=commune.division_type, former_district=commune.former_district,
        ))


async def settle_province(db: Database, province_code: str) -> None:
    """At start-up: the configured province and its communes in the database (claiming an
    empty one), or :class:`ProvinceMismatch` if the database is another province's."""
    async with db.write() as conn:
        await load_official_geography(conn, province_code)
