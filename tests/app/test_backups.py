"""Backups while the bot writes, restores that keep what they replace, and the daily job."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app.backups import backup_now
from bot.app.jobs import (
    BACKUP_JOB,
    CATCH_UP_BACKUP_JOB,
    Scheduling,
    scheduled_jobs,
    scheduling,
)
from bot.app.run import run
from bot.app.services import make_services
from bot.config import load_settings
from storage.backup import BackupError, restore_database, take_backup
from storage.db import Database
from tests.harness.clock import FakeClock
from tests.harness.factories import log_session
from tests.harness.installation import NOW, run_cli

DAY = date(2026, 11, 23)


def _session_keys(path: Path) -> tuple[list[str], set[str]]:
    """(integrity_check's answer, the idempotency keys of the sessions) of a database file."""
    conn = sqlite3.connect(path)
    try:
        check = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        keys = {row[0] for row in conn.execute("SELECT idempotency_key FROM sessions")}
    finally:
        conn.close()
    return check, keys


async def test_a_backup_taken_while_sessions_are_written_holds_every_confirmed_one(
        demo_database: Path, tmp_path: Path) -> None:
    path = tmp_path / "data" / "tocns.sqlite3"
    path.parent.mkdir()
    shutil.copy(demo_database, path)
    settings = load_settings(DATABASE_PATH=str(path))
    clock = FakeClock(NOW)
    async with Database(path) as db:
        member_ids = [int(row[0]) for row in await db.reader.execute_fetchall(
            "SELECT id FROM members WHERE team_id IS NOT NULL ORDER BY id LIMIT 7")]
        confirmed: list[str] = []  # in commit order: one writer, as in the bot
        enough = asyncio.Event()
        stop = asyncio.Event()

        async def members_logging() -> None:
            n = 0
            while not stop.is_set():
                key = f"concurrent-{n}"
                await log_session(db, clock, member_ids[n % len(member_ids)], "cks", 1 + n % 5,
                                  DAY, key, note="họp dân ấp")
                confirmed.append(key)  # the member saw "Đã lưu"
                n += 1
                if n >= 25:
                    enough.set()

        writer = asyncio.create_task(members_logging())
        await enough.wait()
        before = list(confirmed)
        backup = await backup_now(settings, clock())
        during = len(confirmed) - len(before)
        stop.set()
        await writer

    assert during > 0, "no session was saved while the backup ran: the test proves nothing"
    restored = tmp_path / "restored" / "tocns.sqlite3"
    await asyncio.to_thread(restore_database, backup.path, restored, "test")
    check, keys = _session_keys(restored)
    assert check == ["ok"]
    saved = {key for key in keys if key.startswith("concurrent-")}
    assert set(before) <= saved
    # A consistent snapshot: exactly the sessions committed before some instant, none after.
    assert saved == set(confirmed[:len(saved)])


@pytest.fixture
def bot_database(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "tocns.sqlite3"

    async def build() -> None:
        async with Database(path) as db:
            clock = FakeClock(NOW)
            async with db.write() as conn:
                await conn.execute("INSERT INTO provinces VALUES ('92', 'Cần Thơ')")
                await conn.execute("INSERT INTO communes VALUES ('31441', '92', 'Xã Vị Thủy',"
                                   " 'xa vi thuy', 'xã', NULL)")
                await conn.execute("INSERT INTO teams (id, commune_code, name, name_key, kind,"
                                   " created_at, updated_at) VALUES (1, '31441', 'Ấp 1', 'ap 1',"
                                   " 'hamlet', '2026-11-01T00:00:00.000000Z',"
                                   " '2026-11-01T00:00:00.000000Z')")
                await conn.execute("INSERT INTO members (id, team_id, full_name, name_key,"
                                   " created_at, updated_at) VALUES (1, 1, 'Lê Thị Hồng',"
                                   " 'le thi hong', '2026-11-01T00:00:00.000000Z',"
                                   " '2026-11-01T00:00:00.000000Z')")
            await log_session(db, clock, 1, "cks", 3, DAY, "before-backup")

    asyncio.run(build())
    return path


async def _add_session(path: Path, key: str) -> None:
    async with Database(path) as db:
        await log_session(db, FakeClock(NOW), 1, "dvc", 2, DAY, key)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_while_the_bot_runs_backup_works_restore_and_a_second_bot_are_refused(
        bot_database: Path, tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(bot_database), "SANDBOX_PORT": str(_free_port()),
           "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": ""}
    copy = tmp_path / "copy.sqlite3"
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(run(load_settings(**env), ready=ready, stop=stop))
    try:
        await asyncio.wait_for(ready.wait(), 60)
        code, out, err = await run_cli("backup", str(copy), "--lang", "en", env=env,
                                       cwd=tmp_path)
        assert code == 0, err
        assert out.startswith(f"Backup written: {copy}")

        code, _, err = await run_cli("restore", str(copy), "--lang", "en", env=env,
                                     cwd=tmp_path)
        assert code == 1
        assert f"The bot is running (process {os.getpid()})" in err
        assert "stop it first" in err

        code, _, err = await run_cli("run", env={**env, "SANDBOX_PORT": str(_free_port())},
                                     cwd=tmp_path)
        assert code == 3  # not restarted by systemd: somebody must stop the other one
        assert err.strip().splitlines()[-1] == (
            f"Start-up error: another bot (process {os.getpid()}) is running on "
            f"{bot_database}; stop it first.")
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
    assert not list(bot_database.parent.glob("*.replaced-*"))
    assert _session_keys(copy)[1] >= {"before-backup"}


def _companions(path: Path) -> dict[str, int | None]:
    """The sizes of the database's -wal and -shm files (None: absent)."""
    sizes: dict[str, int | None] = {}
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        sizes[suffix] = companion.stat().st_size if companion.exists() else None
    return sizes


def _content(path: Path) -> bytes:
    return path.read_bytes()


def _crash_with_wal(path: Path, key: str) -> None:
    """A session committed into the WAL and never checkpointed, as a bot killed mid-run leaves."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("INSERT INTO sessions (member_id, team_id, commune_code, category_id, citizens,"
                 " session_date, channel, idempotency_key, created_at) VALUES (1, 1, '31441', 1,"
                 " 4, '2026-11-23', 'telegram', ?, '2026-11-23T02:00:00.000000Z')", (key,))
    conn.commit()
    crashed = path.with_name("crashed")
    crashed.mkdir()
    for suffix in ("", "-wal", "-shm"):  # the files as the crash left them
        shutil.copy(f"{path}{suffix}", crashed / f"{path.name}{suffix}")
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
        if (crashed / f"{path.name}{suffix}").exists():
            shutil.move(crashed / f"{path.name}{suffix}", f"{path}{suffix}")
    crashed.rmdir()


async def test_restore_puts_the_backup_back_and_keeps_what_it_replaced(
        bot_database: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite3"
    take_backup(bot_database, backup)
    await _add_session(bot_database, "after-backup")
    _crash_with_wal(bot_database, "only-in-the-wal")
    assert _companions(bot_database)["-wal"]

    env = {"DATABASE_PATH": str(bot_database)}
    code, out, err = await run_cli("restore", str(backup), "--lang", "en", env=env, cwd=tmp_path)
    assert code == 0, err
    [aside] = bot_database.parent.glob("tocns.sqlite3.replaced-*")
    assert f"Restored {backup} into {bot_database}" in out
    assert f"kept as {aside}" in out
    # No stale WAL left to be replayed into the restored database.
    assert _companions(bot_database) == {"-wal": None, "-shm": None}

    check, keys = _session_keys(bot_database)
    assert check == ["ok"]
    assert keys == {"before-backup"}
    assert _session_keys(aside)[1] == {"before-backup", "after-backup", "only-in-the-wal"}
    # The restored database is the bot's again: it opens, migrates and takes new sessions.
    await _add_session(bot_database, "after-restore")
    assert _session_keys(bot_database)[1] == {"before-backup", "after-restore"}


def _stranger(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()


def _from_the_future(path: Path, source: Path) -> None:
    take_backup(source, path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("make", "reason"), [
    (lambda path, _: path.write_bytes(b"PK\x03\x04 a spreadsheet, not a backup"),
     "not an SQLite database"),
    (lambda path, _: _stranger(path), "not a database of this bot"),
    (_from_the_future, "made by a newer release (schema 999"),
    (lambda path, _: None, "no such file"),
])
async def test_restore_refuses_what_is_not_a_sound_backup_and_changes_nothing(
        bot_database: Path, tmp_path: Path, make: object, reason: str) -> None:
    candidate = tmp_path / "candidate.sqlite3"
    make(candidate, bot_database)  # type: ignore[operator]
    before = _content(bot_database)
    code, _, err = await run_cli("restore", str(candidate), "--lang", "en",
                                 env={"DATABASE_PATH": str(bot_database)}, cwd=tmp_path)
    assert code == 1
    assert err.startswith(f"Not restored: {candidate}: {reason}")
    assert err.strip().endswith("The database was not changed.")
    assert _content(bot_database) == before
    assert not list(bot_database.parent.glob("*.replaced-*"))


def test_a_backup_onto_the_database_itself_is_refused(bot_database: Path) -> None:
    with pytest.raises(BackupError, match="that is the database itself"):
        take_backup(bot_database, bot_database)


async def test_the_daily_job_runs_at_backup_time_and_keeps_the_newest(
        bot_database: Path) -> None:
    folder = bot_database.parent / "backups"
    folder.mkdir()
    old = [f"tocns-202611{day:02d}-023000.sqlite3" for day in (18, 19, 20, 21, 22)]
    for name in [*old, "notes.txt"]:
        (folder / name).write_text("an older backup")
    settings = load_settings(DATABASE_PATH=str(bot_database), BACKUP_KEEP="3",
                             BACKUP_TIME="03:15")
    clock = FakeClock(NOW)  # Monday 09:00 in Vietnam; the newest backup is a day old
    async with Database(bot_database) as db:
        services = make_services(settings, db, clock, jobs=Scheduling())
        async with scheduling(services) as running:
            jobs = scheduled_jobs(services)
            assert jobs[BACKUP_JOB].startswith("20")
            assert jobs[BACKUP_JOB][11:16] == "03:15"  # local time, the configured zone
            assert CATCH_UP_BACKUP_JOB in jobs  # a day without a backup: one soon after start
            await running.backup()
    names = sorted(entry.name for entry in folder.iterdir())
    assert names == ["notes.txt", "tocns-20261121-023000.sqlite3",
                     "tocns-20261122-023000.sqlite3", "tocns-20261123-090000.sqlite3"]
    check, keys = _session_keys(folder / "tocns-20261123-090000.sqlite3")
    assert (check, keys) == (["ok"], {"before-backup"})
    assert (folder / "tocns-20261123-090000.sqlite3").stat().st_mode & 0o777 == 0o600


async def test_no_catch_up_when_the_newest_backup_is_recent(bot_database: Path) -> None:
    settings = load_settings(DATABASE_PATH=str(bot_database))
    clock = FakeClock(NOW)
    await backup_now(settings, clock() - timedelta(hours=6))
    async with Database(bot_database) as db:
        services = make_services(settings, db, clock, jobs=Scheduling())
        async with scheduling(services):
            jobs = scheduled_jobs(services)
    assert BACKUP_JOB in jobs
    assert CATCH_UP_BACKUP_JOB not in jobs


async def test_started_just_before_the_nightly_backup_there_is_one_backup_not_two(
        bot_database: Path) -> None:
    settings = load_settings(DATABASE_PATH=str(bot_database), BACKUP_TIME="02:30")
    clock = FakeClock(NOW.replace(day=22, hour=19, minute=29))  # 02:29 in Vietnam, none yet
    folder = settings.backups_folder
    async with Database(bot_database) as db:
        services = make_services(settings, db, clock, jobs=Scheduling())
        async with scheduling(services) as running:
            catch_up = running.scheduler.get_job(CATCH_UP_BACKUP_JOB)
            assert catch_up is not None                     # none yet: one is due at start-up
            clock.advance(minutes=1)
            await running.backup()                          # 02:30: the nightly one
            clock.advance(minutes=1)
            await catch_up.func()                           # 02:31: the start-up one looks again
    assert sorted(p.name for p in folder.iterdir()) == ["tocns-20261123-023000.sqlite3"]
