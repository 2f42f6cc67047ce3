"""The database layer on real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from storage.db import Database, MigrationError, migrations
from storage.repos import Repos
from tests.harness.clock import FakeClock


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


REBUILD = (
    "CREATE TABLE new_parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL, extra TEXT);"
    "INSERT INTO new_parent (id, name) SELECT id, name FROM parent;"
    "DROP TABLE parent;"
    "ALTER TABLE new_parent RENAME TO parent;"
)
BASE = [
    (1, "parent_child",
     "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
     "CREATE TABLE child (id INTEGER PRIMARY KEY,"
     " parent_id INTEGER NOT NULL REFERENCES parent(id) ON DELETE CASCADE);"
     "INSERT INTO parent VALUES (1, 'team'); INSERT INTO child VALUES (10, 1);"),
]


async def test_rebuilding_a_table_keeps_the_rows_that_point_at_it(tmp_path: Path) -> None:
    path = tmp_path / "rebuild.sqlite3"
    async with Database(path, scripts=BASE):
        pass
    async with Database(path, scripts=[*BASE, (2, "rebuild_parent", REBUILD)]) as db:
        children = await db.reader.execute_fetchall("SELECT id, parent_id FROM child")
        assert [tuple(row) for row in children] == [(10, 1)]
        assert await db.applied_versions() == {1, 2}
        fk = await db.reader.execute_fetchall("PRAGMA foreign_keys")
        assert next(iter(fk))[0] == 1  # on again for everyday writes


async def test_a_migration_leaving_dangling_rows_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "dangling.sqlite3"
    async with Database(path, scripts=BASE):
        pass
    bad = (2, "drop_parent", "CREATE TABLE marker (x); DELETE FROM parent;")
    with pytest.raises(MigrationError, match="child"):
        async with Database(path, scripts=[*BASE, bad]):
            pass
    async with Database(path, scripts=BASE) as db:
        tables = {row[0] for row in await db.reader.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "marker" not in tables
        assert await db.applied_versions() == {1}


async def test_the_reader_connection_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.reader.execute("DELETE FROM schedules")


async def test_a_long_read_on_a_connection_of_its_own_holds_no_other_read_back(
        db: Database) -> None:
    """What an export of a big province reads (seconds of it) never makes another chat's
    read wait; and that connection cannot write either."""
    slow_sql = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n"
                " WHERE x < 3000000) SELECT COUNT(*) FROM n")
    async with db.reading() as own:
        slow = asyncio.ensure_future(own.execute_fetchall(slow_sql))
        await asyncio.sleep(0)  # the slow read is on its way to its connection's thread
        assert await db.ping()  # answered on the shared reader meanwhile
        assert not slow.done()
        assert next(iter(await slow))[0] == 3_000_000
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await own.execute("DELETE FROM schedules")


async def test_a_migration_added_between_applied_ones_is_still_applied(tmp_path: Path) -> None:
    """Features developed side by side may land with numbers below the newest applied one."""
    path = tmp_path / "gap.sqlite3"
    late = (3, "late", "CREATE TABLE late (x);")
    async with Database(path, scripts=[*BASE, late]):
        pass
    middle = (2, "middle", "CREATE TABLE middle (x);")
    async with Database(path, scripts=[*BASE, middle, late]) as db:
        assert await db.applied_versions() == {1, 2, 3}


async def test_the_quick_reader_runs_on_the_loop_sees_each_commit_and_never_writes(
        db: Database) -> None:
    import threading

    await db.quick.create_function("thread_id", 0, threading.get_ident)
    rows = list(await db.quick.execute_fetchall("SELECT thread_id()"))
    assert rows[0][0] == threading.get_ident()          # no hand-off to another thread
    async with db.write() as conn:
        await conn.execute("INSERT INTO provinces (code, name) VALUES ('92', 'Cần Thơ')")
    rows = list(await db.quick.execute_fetchall("SELECT name FROM provinces"))
    assert [r[0] for r in rows] == ["Cần Thơ"]          # the writer's commit, read at once
    with pytest.raises(sqlite3.OperationalError):
        await db.quick.execute("DELETE FROM provinces")
