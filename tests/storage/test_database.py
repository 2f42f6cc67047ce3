"""The database layer on real SQLite files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
import pytest

from storage.db import Database, migrations
from storage.repos import Repos
from tests.conftest import FakeClock


async def test_migrations_are_recorded_and_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with Database(path) as db:
        latest = max(version for version, _, _ in migrations())
        assert await db.schema_version() == latest
    async with Database(path) as db:  # a restart applies nothing twice
        rows = await db.reader.execute_fetchall("SELECT COUNT(*) FROM schema_migrations")
        assert next(iter(rows))[0] == len(migrations())


async def test_wal_foreign_keys_and_busy_timeout(db: Database) -> None:
    async def pragma(name: str) -> object:
        rows = await db.reader.execute_fetchall(f"PRAGMA {name}")
        return next(iter(rows))[0]

    assert await pragma("journal_mode") == "wal"
    assert await pragma("foreign_keys") == 1
    assert int(str(await pragma("busy_timeout"))) >= 5000
    with pytest.raises(aiosqlite.IntegrityError):
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO teams (commune_code, name, name_key, kind, created_at, updated_at)"
                " VALUES ('99999', 'x', 'x', 'hamlet', '', '')"
            )


async def test_a_failed_write_changes_nothing(db: Database, clock: FakeClock) -> None:
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await Repos(conn).audit.record(actor=None, action="x", target=None, now=clock())
            raise RuntimeError("boom")
    assert await Repos(db.reader).audit.latest() == []


async def test_many_concurrent_writers_never_see_database_is_locked(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    async def writer(i: int) -> None:
        for j in range(20):
            async with db.write() as conn:
                await Repos(conn).audit.record(actor=None, action="load", target=f"{i}:{j}",
                                               now=clock())

    # A second process-like connection (the CLI import) writing at the same time.
    async def other_connection() -> None:
        async with Database(tmp_path / "test.sqlite3") as other:
            for j in range(20):
                async with other.write() as conn:
                    await Repos(conn).audit.record(actor=None, action="load", target=f"o:{j}",
                                                   now=clock())

    await asyncio.gather(*(writer(i) for i in range(10)), other_connection())
    entries = await Repos(db.reader).audit.latest(limit=1000, action="load")
    assert len(entries) == 220
