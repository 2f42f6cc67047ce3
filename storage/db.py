"""The SQLite database: one writer, concurrent readers, numbered migrations.

SQLite in WAL mode lets readers run alongside one writer. Every write goes through
:meth:`Database.write`, which serialises writers with an asyncio lock and opens the transaction
with ``BEGIN IMMEDIATE`` — so concurrent handlers and jobs queue up instead of failing with
"database is locked". ``busy_timeout`` covers a second process (the CLI import) writing at the
same time.

Handled message texts are cleared from the inbox; ``secure_delete`` zeroes what a cleared value
occupied in its page, and :meth:`Database.scrub_wal` (a job, every minute) folds the WAL into
the database and truncates it, so the text does not stay readable in the ``-wal`` file either.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.natural_sort import sql_key
from storage.inline import INLINE_BUSY_TIMEOUT_MS, InlineReader

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
BUSY_TIMEOUT_MS = 10_000
#: WAL pages after which a commit folds the WAL into the database (SQLite's default).
WAL_AUTOCHECKPOINT_PAGES = 1000


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of the packaged migrations, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found)


async def _connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)  # we issue BEGIN ourselves
    conn.row_factory = aiosqlite.Row
    await _configure(conn)
    return conn


async def _configure(conn: aiosqlite.Connection) -> None:
    """What every connection of the bot's has, threaded or inline (storage.inline)."""
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; fsync at checkpoints
    # 32 MB of pages per connection instead of SQLite's 2 MB: the Monday digests read 168
    # communes' weeks before the province's, which then met a cold cache (99-128 ms at 20
    # million sessions against 76-84 with this); a small province never fills it.
    await conn.execute("PRAGMA cache_size = -32000")
    # A cleared message text (a phone or ID number in a note) is overwritten, not just freed.
    await conn.execute("PRAGMA secure_delete = ON")
    # ORDER BY natsort(t.name): Ấp 2 before Ấp 10 (see bot.core.natural_sort).
    await conn.create_function("natsort", 1, sql_key, deterministic=True)


class _WriteLock:
    """The one writer's turn: first come first served, except that an urgent write goes
    before every ordinary one waiting (the inbox storing what the platform delivered: until
    it is stored, nobody's newer message can even be looked at)."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._ordinary: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def turn(self, *, urgent: bool = False) -> AsyncIterator[None]:
        await self._acquire(urgent)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, urgent: bool) -> None:
        if not self._held and not self._urgent and not self._ordinary:
            self._held = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._ordinary
        queue.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # the turn was handed over just as the caller gave up
            else:
                queue.remove(future)
            raise

    def _release(self) -> None:
        for queue in (self._urgent, self._ordinary):
            while queue:
                future = queue.popleft()
                if not future.done():
                    future.set_result(None)  # handed over: still held
                    return
        self._held = False


class Database:
    def __init__(self, path: Path | str,
                 scripts: Sequence[tuple[int, str, str]] | None = None) -> None:
        self.path = Path(path)
        #: (version, name, sql) to apply; the packaged migrations unless a test gives others.
        self._migrations = list(scripts) if scripts is not None else migrations()
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._quick: InlineReader | None = None
        self._write_lock = _WriteLock()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await _connect(self.path)
            await self._writer.execute("PRAGMA journal_mode = WAL")
            await self._migrate()
            self._reader = await _connect(self.path)
            # The reader only reads: a write on it would bypass the one serialised writer.
            await self._reader.execute("PRAGMA query_only = ON")
            self._quick = InlineReader(self.path)
            await _configure(self._quick)
            await self._quick.execute(f"PRAGMA busy_timeout = {INLINE_BUSY_TIMEOUT_MS}")
            await self._quick.execute("PRAGMA query_only = ON")
        except BaseException:
            # An open connection is a (non-daemon) thread: left behind, the process would
            # never exit after the error (a database file the service may not write).
            await self.close()
            raise

    async def close(self) -> None:
        for conn in (self._quick, self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._quick = None
        self._reader = self._writer = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def reader(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("database is not open")
        return self._reader

    @property
    def quick(self) -> aiosqlite.Connection:
        """For the short keyed reads of the update path, on the event loop's thread (see
        :mod:`storage.inline`); anything longer reads on :attr:`reader`."""
        if self._quick is None:
            raise RuntimeError("database is not open")
        return self._quick

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read-only connection of its own, for one long job (an export of a province's
        month): its statements never queue behind, or hold back, the shared reader's, and two
        of them can run at once (SQLite works without the interpreter lock while it steps)."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        conn = await _connect(self.path)
        try:
            await conn.execute("PRAGMA query_only = ON")  # like the shared reader
            yield conn
        finally:
            await conn.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: all-or-nothing, one at a time."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        async with self._write_lock.turn():
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            else:
                await self._writer.execute("COMMIT")

    async def write_one(self, sql: str, params: Sequence[Any] = (), *,
                        urgent: bool = False) -> list[aiosqlite.Row]:
        """One statement as a transaction of its own (SQLite's autocommit), in one hop to the
        database thread instead of three (BEGIN, statement, COMMIT): for the per-update
        bookkeeping of the inbox, on the hot path. Rows of a ``RETURNING`` clause come back.
        ``urgent``: before every ordinary write waiting (see :class:`_WriteLock`)."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        async with self._write_lock.turn(urgent=urgent):
            return list(await self._writer.execute_fetchall(sql, params))

    async def defer_checkpoints(self, defer: bool) -> None:
        """Whether commits let the WAL grow (``True``) rather than fold it into the database
        every :data:`WAL_AUTOCHECKPOINT_PAGES` pages, as they do otherwise.

        For a poller catching up with a backlog: each of its stores is a link in a chain of
        getUpdates calls (the next goes once it is committed), and the checkpoint that every
        25th store or so ran took an eighth of the chain's time. Nothing is less durable (the
        WAL is the database's journal); it grows by the backlog (to some 80 MB for 50,000
        updates) until the first commit after ``False``, or the minute's :meth:`scrub_wal`.
        """
        if self._writer is None:
            raise RuntimeError("database is not open")
        pages = 0 if defer else WAL_AUTOCHECKPOINT_PAGES
        await self._writer.execute(f"PRAGMA wal_autocheckpoint = {pages}")

    async def scrub_wal(self) -> bool:
        """Copy the WAL into the database and truncate it to nothing: texts cleared since the
        last scrub are then gone from both files. False when a long reader (an export) holds
        an old snapshot: it is not waited for (writers would queue); the next scrub does it."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        async with self._write_lock.turn():
            await self._writer.execute("PRAGMA busy_timeout = 200")
            try:
                rows = await self._writer.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                await self._writer.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        busy = next(iter(rows))[0]
        return not busy

    async def ping(self) -> bool:
        """Whether the database answers a trivial query (for /healthz)."""
        rows = list(await self.reader.execute_fetchall("SELECT 1"))
        return bool(rows) and rows[0][0] == 1

    async def schema_version(self) -> int:
        conn = self._writer or self.reader
        rows = await conn.execute_fetchall("SELECT MAX(version) FROM schema_migrations")
        value = next(iter(rows))[0]
        return int(value or 0)

    async def applied_versions(self) -> set[int]:
        conn = self._writer or self.reader
        rows = await conn.execute_fetchall("SELECT version FROM schema_migrations")
        return {int(row[0]) for row in rows}

    async def _migrate(self) -> None:
        assert self._writer is not None
        conn = self._writer
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = await self.applied_versions()
        pending = [m for m in self._migrations if m[0] not in applied]
        if not pending:
            return
        # Foreign keys off while migrating (SQLite ignores the pragma inside a transaction):
        # rebuilding a table (create new, copy, drop old, rename) must not cascade-delete
        # the rows that point at it. Consistency is checked before each commit instead.
        await conn.execute("PRAGMA foreign_keys = OFF")
        try:
            for version, name, sql in pending:
                await self._apply(conn, version, name, sql)
        finally:
            await conn.execute("PRAGMA foreign_keys = ON")

    @staticmethod
    async def _apply(conn: aiosqlite.Connection, version: int, name: str, sql: str) -> None:
        """One script inside one transaction: a migration applies whole or not at all."""
        try:
            # executescript runs the statements as given: the transaction stays open after.
            await conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n")
            broken = await conn.execute_fetchall("PRAGMA foreign_key_check")
            if broken:
                table = next(iter(broken))[0]
                raise MigrationError(
                    f"migration {version:04d}_{name} leaves rows of {table!r} pointing nowhere")
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", (version, name))
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        log.info("applied migration %04d_%s", version, name)


class MigrationError(RuntimeError):
    """A migration would leave the database inconsistent; nothing of it was applied."""
