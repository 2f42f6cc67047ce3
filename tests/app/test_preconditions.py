"""Set-ups that cannot start: ``run`` says why in one line and exits 3 (which systemd does not
restart on), never a traceback or a hang; ``doctor`` fails on each of them with the same line.

The service user is played by root without its capabilities (``setpriv``): files owned by
another user are then out of its reach, as they are for ``tocns``.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app.backups import backup_now
from storage.db import Database
from storage.geography import settle_province
from tests.harness.installation import ROOT, Installation, run_cli

NOBODY = 65534


def _setpriv_or_skip() -> str:
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv (util-linux) to act as a user without rights")
    return setpriv


async def _run_unprivileged(*args: str, env: dict[str, str], cwd: Path,
                            timeout: float = 60) -> tuple[int, str, str]:
    """``python -m bot ARGS`` as root stripped of every capability: like a service user."""
    setpriv = _setpriv_or_skip()
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_", "BACKUP_", "LOG_", "WEB_"))}
    process = await asyncio.create_subprocess_exec(
        setpriv, "--bounding-set=-all", "--inh-caps=-all", sys.executable, "-m", "bot", *args,
        cwd=cwd, env={**clean, "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"python -m bot {' '.join(args)} hung")
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _give_away(*paths: Path) -> None:
    """Owned by another user: readable, not writable, for a process without capabilities."""
    for path in paths:
        os.chown(path, NOBODY, NOBODY)


def _as_restore_leaves_it(database: Path) -> None:
    """A self-contained file with a rollback journal, as a restored backup is."""
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


async def test_a_database_the_service_cannot_write_stops_run_at_once_and_doctor_too(
        installation: Installation) -> None:
    settings = installation.settings()
    await backup_now(settings, datetime.now(UTC))
    database = installation.database
    _as_restore_leaves_it(database)
    _give_away(database.parent, database, *database.parent.glob("tocns.sqlite3*"))
    env = installation.env(DEFAULT_LANGUAGE="en")
    code, out, err = await _run_unprivileged("run", env=env, cwd=installation.root)
    assert code == 3, out + err
    assert "Traceback" not in err
    assert f"✗ Files: user root cannot write in the folder {database.parent}" in err
    assert f"sudo chown -R root: {database.parent}" in err
    code, out, _ = await _run_unprivileged("doctor", env=env, cwd=installation.root)
    assert code == 1
    [blocked] = [line for line in err.splitlines() if line.startswith("✗")]
    assert blocked in out.splitlines()  # doctor's line is run's line


async def test_a_database_file_it_cannot_write_in_a_folder_it_can(
        installation: Installation) -> None:
    database = installation.database
    _as_restore_leaves_it(database)
    _give_away(database)
    code, _, err = await _run_unprivileged("run", env=installation.env(DEFAULT_LANGUAGE="en"),
                                           cwd=installation.root)
    assert code == 3
    assert f"✗ Files: user root cannot write {database}" in err
    assert "Traceback" not in err


async def test_a_wal_database_in_a_folder_it_cannot_write_is_not_called_damaged(
        installation: Installation) -> None:
    settings = installation.settings()
    await backup_now(settings, datetime.now(UTC))
    database = installation.database
    conn = sqlite3.connect(database)  # WAL, as the running bot leaves it
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    _give_away(database.parent)
    code, out, _ = await _run_unprivileged(
        "doctor", env=installation.env(DEFAULT_LANGUAGE="en"), cwd=installation.root)
    assert code == 1
    assert "damaged" not in out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("✗")] == [
        "✗ Files"]


async def test_another_provinces_database_fails_doctor_and_stops_run(
        installation: Installation) -> None:
    async with Database(installation.database) as db:
        await settle_province(db, "92")
    await backup_now(installation.settings(), datetime.now(UTC))
    env = installation.env(PROVINCE_CODE="79", DEFAULT_LANGUAGE="en")
    code, out, _ = await run_cli("doctor", env=env, cwd=installation.root)
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("✗")]
    assert line.startswith("✗ Province: the database belongs to Thành phố Cần Thơ "
                           "(PROVINCE_CODE=92), but PROVINCE_CODE is 79")
    assert "set PROVINCE_CODE=92 in .env" in line
    code, _, err = await run_cli("run", env=env, cwd=installation.root)
    assert code == 3
    assert "Start-up error: this database belongs to Thành phố Cần Thơ" in err


async def test_restore_refuses_another_provinces_backup_and_changes_nothing(
        installation: Installation) -> None:
    other = installation.root / "other.sqlite3"
    async with Database(other) as db:
        await settle_province(db, "79")
    async with Database(installation.database) as db:
        await settle_province(db, "92")
    before = installation.database.read_bytes()
    code, out, err = await run_cli("restore", str(other), "--lang", "en",
                                   env=installation.env(), cwd=installation.root)
    assert code == 1, out + err
    assert err.strip() == (
        f"Not restored: {other} is a backup of Thành phố Hồ Chí Minh (PROVINCE_CODE=79), but "
        "this bot serves Thành phố Cần Thơ (PROVINCE_CODE=92). The database was not changed.")
    assert installation.database.read_bytes() == before


async def test_a_backup_into_a_folder_it_cannot_write_names_the_folder(
        installation: Installation) -> None:
    folder = installation.root / "elsewhere"
    folder.mkdir()
    _give_away(folder)
    code, _, err = await _run_unprivileged("backup", str(folder / "copy.sqlite3"), "--lang", "en",
                                           env=installation.env(), cwd=installation.root)
    assert code == 1
    assert err.strip() == f"Backup failed: {folder}: cannot write there (Permission denied)"


async def test_a_wrong_zalo_address_is_not_called_a_refused_token(
        installation: Installation) -> None:
    await backup_now(installation.settings(), datetime.now(UTC))
    wrong = installation.platform.url + "/no-such-api/bot"  # answers an HTML-ish 404
    code, out, _ = await run_cli("doctor", "--lang", "en",
                                 env=installation.env(ZALO_API_BASE_URL=wrong),
                                 cwd=installation.root)
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("✗")]
    assert line.startswith(f"✗ Zalo token: {wrong} answered 404")
    assert "not as a Bot API (the address is wrong, not the token)" in line
    assert "correct ZALO_API_BASE_URL" in line
    assert "refused" not in line


async def test_hints_name_the_installations_command_and_settings_file(
        installation: Installation) -> None:
    env = installation.env(BACKUP_KEEP="none", DEFAULT_LANGUAGE="en",
                           TOCNS_CLI="sudo tocns-bot", TOCNS_ENV_FILE="/etc/tocns-bot/env")
    code, out, _ = await run_cli("doctor", env=env, cwd=installation.root)
    assert code == 1
    # In English, as DEFAULT_LANGUAGE says, though another setting is wrong.
    assert out.strip().endswith("→ correct that setting in /etc/tocns-bot/env (.env.example "
                                "explains each one)")
    code, out, _ = await run_cli("doctor", env=installation.env(
        DEFAULT_LANGUAGE="en", TOCNS_CLI="sudo tocns-bot"), cwd=installation.root)
    assert "take one now: sudo tocns-bot backup" in out
    assert "python -m bot" not in out


def test_the_unit_does_not_restart_on_configuration_and_start_up_errors() -> None:
    unit = (ROOT / "deploy" / "tocns-bot.service").read_text(encoding="utf-8")
    match = re.search(r"^RestartPreventExitStatus=(.*)$", unit, re.MULTILINE)
    assert match
    assert {"2", "3"} <= set(match[1].split())


async def test_a_database_that_fails_to_open_leaves_no_thread_behind(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    broken = Database(tmp_path / "x.sqlite3", scripts=[(1, "broken", "CREATE TABLE (;")])
    with pytest.raises(sqlite3.OperationalError):
        await broken.open()
    for _ in range(100):
        if set(threading.enumerate()) <= before:
            break
        await asyncio.sleep(0.01)
    assert set(threading.enumerate()) <= before  # else the process would never exit
