"""A handled message's text does not outlive its handling on disk: neither in the database's
free space nor in the ``-wal`` file, once the minute's scrub has run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.app.jobs import SCRUB_INTERVAL_S, SCRUB_JOB, scheduled_jobs
from storage.db import Database
from storage.repos.inbox import Arrival, mark_handled, store_arrivals
from tests.harness.hooked import HookedWorld

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PHONE, CITIZEN_ID = "0912 345 678", "079203001234"


def _on_disk(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_a_cleared_text_is_readable_neither_in_the_database_nor_in_the_wal(
        tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    text = f"/log 7 hộ dân; chị Lan {PHONE}, CCCD {CITIZEN_ID}"
    async with Database(path) as db:
        for conn in (db.reader, db._writer):
            assert conn is not None
            # Explicit: not every SQLite build has it on by default (Debian's has).
            assert next(iter(await conn.execute_fetchall("PRAGMA secure_delete")))[0] == 1
        others = [Arrival(f"m:{n}:1:1", str(n), {"text": "/log 3"}) for n in range(2, 12)]
        await store_arrivals(db, "telegram", [Arrival("m:1:1:1", "1", {"text": text}), *others],
                             NOW)
        await mark_handled(db, "telegram", "m:1:1:1", NOW)
        # Cleared in the table, yet the frame that stored it is still in the WAL...
        assert PHONE.encode() in _on_disk(path)
        assert await db.scrub_wal()
        # ... until the scrub.
        found = _on_disk(path)
        assert PHONE.encode() not in found
        assert CITIZEN_ID.encode() not in found
        rows = list(await db.reader.execute_fetchall(
            "SELECT payload FROM inbox WHERE update_key = 'm:1:1:1'"))
        assert [row[0] for row in rows] == [None]


async def test_the_running_bot_scrubs_a_handled_note_out_of_the_wal(hooked: HookedWorld) -> None:
    assert SCRUB_JOB in scheduled_jobs(hooked.services)
    assert SCRUB_INTERVAL_S <= 60
    member = hooked.person("member_1")
    await member.send(f"/help {PHONE} {CITIZEN_ID}")
    await member.next_message()
    for _ in range(200):  # the answer goes out just before the row is marked handled
        rows = await hooked.services.db.reader.execute_fetchall(
            "SELECT COUNT(*) FROM inbox WHERE payload IS NOT NULL")
        if next(iter(rows))[0] == 0:
            break
        await asyncio.sleep(0.01)
    path = hooked.services.db.path
    assert await hooked.jobs.scrub()
    found = _on_disk(path)
    assert PHONE.encode() not in found
    assert CITIZEN_ID.encode() not in found
