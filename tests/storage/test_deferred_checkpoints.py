"""While a poller catches up with a backlog, its stores leave the WAL to grow (no checkpoint
in the chain of getUpdates calls); nothing stored is less safe, and the WAL is folded into the
database again once the catch-up is over."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from storage.db import Database
from storage.repos.inbox import Arrival, store_arrivals

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


async def _store_batches(db: Database, first: int, batches: int) -> None:
    for b in range(first, first + batches):
        await store_arrivals(db, "telegram", [
            Arrival(f"m:{b}:{n}:1", str(n), {"text": "x" * 400}) for n in range(100)], NOW,
            urgent=True)


async def test_a_catch_up_defers_checkpoints_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Database(path) as db:
        assert await db.scrub_wal()
        before = path.stat().st_size
        await db.defer_checkpoints(True)
        await _store_batches(db, 0, 60)  # ~6,000 rows: past the 1,000 pages a checkpoint is due
        assert path.stat().st_size == before  # all of it still in the WAL
        await db.defer_checkpoints(False)
        await _store_batches(db, 60, 1)  # the next commit folds it in
        assert path.stat().st_size > before
    async with Database(path) as db:  # and nothing was lost on the way
        assert len(await db.reader.execute_fetchall("SELECT id FROM inbox")) == 6100


def _as_a_crash_leaves_it(path: Path, copy: Path) -> Path:
    """The files as they are now, copied before a close could checkpoint them."""
    shutil.copyfile(path, copy)
    shutil.copyfile(f"{path}-wal", f"{copy}-wal")
    return copy


async def test_what_a_crash_leaves_in_a_deferred_wal_is_still_there(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = Database(path)
    await db.open()
    await db.defer_checkpoints(True)
    await _store_batches(db, 0, 30)
    crashed = _as_a_crash_leaves_it(path, tmp_path / "crashed.sqlite3")
    await db.close()
    async with Database(crashed) as again:
        assert len(await again.reader.execute_fetchall("SELECT id FROM inbox")) == 3000
