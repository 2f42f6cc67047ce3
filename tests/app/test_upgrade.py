"""Upgrades: a database made by release 0.1 (kept as a file) is migrated at start-up, data intact.

``tests/fixtures/release-0.1.sqlite3`` was written by ``tests/fixtures/make_release_db.py`` and
is never rebuilt here: every later release must start on exactly this file.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
from datetime import date, time
from pathlib import Path

import aiohttp

from bot.app.run import run
from bot.config import load_settings
from bot.sandbox import SandboxServer
from bot.sandbox.zalo_testing import SandboxZaloUser
from storage.backup import latest_version
from storage.db import Database, migrations
from storage.repos import Repos
from tests.fixtures.make_release_db import CHART, RELEASE_SCHEMA, ZALO_MEMBER

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1.sqlite3"


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return sorted(conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"))


def test_the_fixture_is_exactly_what_release_0_1_made(tmp_path: Path) -> None:
    fresh = sqlite3.connect(tmp_path / "fresh.sqlite3")
    fresh.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                  " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for version, _, sql in migrations():
        if version <= RELEASE_SCHEMA:
            fresh.executescript(sql)
    kept = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert [row[0] for row in kept.execute("SELECT version FROM schema_migrations"
                                               " ORDER BY version")] == [1, 2, 3, 4, 5]
        assert _schema(kept) == _schema(fresh)
        assert kept.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        kept.close()
        fresh.close()


async def test_a_release_0_1_database_starts_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "data" / "tocns.sqlite3"
    path.parent.mkdir()
    shutil.copy(FIXTURE, path)
    async with SandboxServer() as platform:  # stands in for Zalo's servers
        settings = load_settings(DATABASE_PATH=str(path), TELEGRAM_BOT_TOKEN="",
                                 ZALO_BOT_TOKEN="4242:upgrade-test-token",
                                 ZALO_API_BASE_URL=platform.zalo_api_base_url)
        ready, stop = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(run(settings, ready=ready, stop=stop))
        try:
            await asyncio.wait_for(ready.wait(), 60)
            async with aiohttp.ClientSession() as session:
                son = SandboxZaloUser(platform.url, ZALO_MEMBER, "Sơn", session=session)
                await son.send("/me")
                # Start-up may have caught up a reminder for him first: wait for the profile.
                profile = (await son.wait_for(lambda m: "Lê Văn Sơn" in m.text, 15)).text
            assert "Ấp 2" in profile
            assert "Xã Vị Thủy" in profile
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 30)

    async with Database(path) as db:
        assert await db.schema_version() == latest_version()
        read = Repos(db.reader)
        son_id = 3
        sessions = await read.sessions.latest_of(son_id, limit=10)
        assert [(s.citizens, s.session_date, s.note) for s in sessions] == [
            (7, date(2026, 11, 20), "chợ phiên"), (1, date(2026, 11, 19), None)]
        undone = await read.sessions.get(6)
        assert undone is not None
        assert undone.deleted_at is not None
        schedules = await read.schedules.current()
        assert (schedules.digest.weekday, schedules.digest.at) == (2, time(8, 0))
        assert (schedules.quiet.start, schedules.quiet.end) == (time(22, 0), time(6, 30))
        digest = await read.outbox.by_key("digest:commune:31441:2026-W47:m4:telegram")
        assert digest is not None
        assert digest.status == "pending"  # for Telegram, not configured in this run
        assert digest.attachment == CHART
        assert digest.payload["file"]["filename"] == "digest.png"
        rows = await db.reader.execute_fetchall(
            "SELECT (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM identities),"
            " (SELECT COUNT(*) FROM role_grants), (SELECT COUNT(*) FROM sessions),"
            # The release's three messages; the start-up may add what it catches up (on the
            # real clock: a reminder, or the approval reminder of a month's first two weeks).
            " (SELECT COUNT(*) FROM outbox WHERE dedup_key IN"
            "  ('digest:commune:31441:2026-W47:m4:telegram', 'reminder:2026-W47:m2:telegram',"
            "   'broadcast:b1:m3:zalo')), (SELECT COUNT(*) FROM audit_log),"
            " (SELECT COUNT(*) FROM pending_imports), (SELECT phone FROM members WHERE id = 1),"
            " (SELECT active FROM categories WHERE code = 'htx')")
        assert tuple(next(iter(rows))) == (5, 5, 3, 6, 3, 2, 1, "0912345678", 0)
