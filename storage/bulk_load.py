"""Writing millions of rows fast: a generated registry and years of sessions, straight to SQLite.

For benchmarks and load tests only (``python -m bot generate``), never for the running bot: it
uses a plain synchronous connection with durability off (``synchronous=OFF``,
``journal_mode=OFF``: a crash mid-load leaves a file to throw away), big ``executemany``
transactions, and it sets aside the roll-up triggers and the secondary indexes while loading —
then builds each index once and the roll-ups with one ``INSERT … SELECT`` per table
(:mod:`storage.rollups`), which is many times faster than maintaining them row by row.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path

from bot.core.permissions import grant_scope
from bot.core.registry.large_province import Logger, Registry, SessionRow
from bot.core.text import fold
from storage.db import Database
from storage.geography import province_name
from storage.repos.sql import ts
from storage.rollups import rebuild_statements

log = logging.getLogger(__name__)

BATCH = 200_000
#: Tables whose secondary indexes are rebuilt after a load, rather than kept row by row.
_LOADED_TABLES = ("sessions", "member_day", "member_week", "member_month", "commune_day",
                  "team_day", "province_day")


def open_for_load(path: Path) -> sqlite3.Connection:
    """The database at ``path`` with every migration applied, opened for a bulk load."""
    asyncio.run(_migrate(path))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")   # 1 GB: index builds sort in memory
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


async def _migrate(path: Path) -> None:
    async with Database(path):
        pass


def finish(conn: sqlite3.Connection) -> None:
    """Back to the bot's own journal mode, and closed. No ANALYZE: the bot never runs it, so
    a benchmark on this file sees the query plans a real deployment gets."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


def write_registry(conn: sqlite3.Connection, registry: Registry, now: datetime,
                   link_share: float = 0.8) -> list[Logger]:
    """Province, communes, teams, members, their roles and (for ``link_share`` of them) a
    linked chat; returns who logs sessions: every member of a team."""
    stamp = ts(now)
    code = registry.province_code
    conn.execute("BEGIN")
    conn.execute("INSERT OR REPLACE INTO provinces (code, name) VALUES (?, ?)",
                 (code, province_name(code)))
    conn.executemany(
        "INSERT OR REPLACE INTO communes (code, province_code, name, name_key, division_type)"
        " VALUES (?, ?, ?, ?, ?)",
        [(c.code, code, c.name, fold(c.name), c.division_type) for c in registry.communes])
    first_team = int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM teams").fetchone()[0])
    conn.executemany(
        "INSERT INTO teams (id, commune_code, name, name_key, kind, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(first_team + i, t.commune.code, t.name, fold(t.name), t.kind, stamp, stamp)
         for i, t in enumerate(registry.teams)])
    first_member = int(conn.execute(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM members").fetchone()[0])
    conn.executemany(
        "INSERT INTO members (id, team_id, full_name, name_key, phone, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(first_member + i, first_team + m.team, m.full_name, fold(m.full_name), m.phone,
          stamp, stamp) for i, m in enumerate(registry.members)])
    grants = []
    for i, m in enumerate(registry.members):
        team = registry.teams[m.team]
        scope = grant_scope(m.role, team_id=first_team + m.team, commune_code=team.commune.code,
                            province_code=code)
        if scope is not None:
            grants.append((first_member + i, m.role.value, scope[0], scope[1], stamp))
    conn.executemany(
        "INSERT INTO role_grants (member_id, role, scope_kind, scope_id, granted_at)"
        " VALUES (?, ?, ?, ?, ?)", grants)
    linked = int(len(registry.members) * link_share)
    conn.executemany(
        "INSERT INTO identities (channel, external_id, member_id, chat_id, linked_at)"
        " VALUES ('telegram', ?, ?, ?, ?)",
        [(str(10_000_000 + first_member + i), first_member + i,
          str(10_000_000 + first_member + i), stamp) for i in range(linked)])
    conn.execute("COMMIT")
    return [Logger(first_member + i, first_team + m.team, registry.teams[m.team].commune.code)
            for i, m in enumerate(registry.members)]


def loggers_in(conn: sqlite3.Connection) -> list[Logger]:
    """Every active member of an active team already in the database (e.g. the demo's)."""
    rows = conn.execute(
        "SELECT m.id, m.team_id, t.commune_code FROM members m JOIN teams t ON t.id = m.team_id"
        " WHERE m.active AND t.active ORDER BY m.id")
    return [Logger(int(r[0]), int(r[1]), str(r[2])) for r in rows]


def categories(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return [(int(r[0]), str(r[1])) for r in conn.execute(
        "SELECT id, code FROM categories WHERE active ORDER BY position")]


def write_sessions(conn: sqlite3.Connection, rows: Iterable[SessionRow],
                   progress: bool = False) -> int:
    """Insert the rows in transactions of :data:`BATCH`, roll-ups and indexes after."""
    written = 0
    with _loading(conn):
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO sessions (member_id, team_id, commune_code, category_id, citizens,"
                " session_date, channel, idempotency_key, created_at, deleted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
            conn.execute("COMMIT")
            written += len(batch)
            log.debug("%d sessions written", written)
            if progress:
                print(f"\r  {written:,} sessions", end="", flush=True)
        if progress:
            print("; building indexes and roll-ups…", flush=True)
    return written


@contextmanager
def _loading(conn: sqlite3.Connection) -> Iterator[None]:
    """Set the roll-up triggers and the loaded tables' secondary indexes aside; afterwards
    rebuild the roll-ups, then every index once, then the triggers (from their saved SQL)."""
    marks = ",".join("?" * len(_LOADED_TABLES))
    saved = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ("
        f" (type = 'index' AND tbl_name IN ({marks}))"
        " OR (type = 'trigger' AND name LIKE 'rollup_%'))", _LOADED_TABLES).fetchall()
    conn.execute("BEGIN")
    for kind, name, _ in saved:
        conn.execute(f"DROP {kind.upper()} {name}")
    conn.execute("COMMIT")
    try:
        yield
    finally:
        conn.execute("BEGIN")
        for statement in rebuild_statements():
            started = time.perf_counter()
            conn.execute(statement)
            log.info("%s: %.1f s", statement[:40], time.perf_counter() - started)
        for kind, name, sql in sorted(saved, key=lambda s: s[0] != "index"):
            started = time.perf_counter()
            conn.execute(sql)
            log.info("%s %s: %.1f s", kind, name, time.perf_counter() - started)
        conn.execute("COMMIT")
