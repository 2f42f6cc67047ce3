"""``python -m bot doctor`` on a good installation and on broken ones, through the sandbox."""

from __future__ import annotations

import re
from collections import namedtuple
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.app.backups import backup_now
from bot.app.doctor import doctor
from bot.config import Settings
from locales import load_catalogue, translator
from storage.db import Database
from tests.harness.installation import NOW, TELEGRAM_TOKEN, ZALO_TOKEN, Installation, run_cli

ROOT = Path(__file__).resolve().parents[2]
Usage = namedtuple("Usage", "total used free")
ROOMY = Usage(100 * 2**30, 50 * 2**30, 50 * 2**30)


async def _doctor(settings: Settings, *, now: object = NOW,
                  usage: Usage = ROOMY) -> tuple[int, list[str]]:
    return await doctor(settings, translator("en"), "en", now=now,  # type: ignore[arg-type]
                        disk_usage=lambda _: usage)


def _failing(lines: list[str]) -> list[str]:
    """The names of the failing checks (``✗ Name: ...``)."""
    return [line[2:].split(":")[0] for line in lines if line.startswith("✗")]


async def _good(installation: Installation) -> Settings:
    settings = installation.settings()
    await backup_now(settings, NOW - timedelta(hours=3))
    return settings


async def test_a_good_installation_passes_every_check(installation: Installation) -> None:
    code, lines = await _doctor(await _good(installation))
    assert code == 0, lines
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "✓ Configuration", "✓ Files", "✓ Database", "✓ Province", "✓ Schedules",
        "✓ Telegram token", "✓ Telegram webhook", "✓ Zalo token", "✓ Zalo webhook",
        "✓ Disk space", "✓ Backups"]
    assert "can write" in lines[1]
    assert "the first start claims it for Thành phố Cần Thơ" in lines[3]
    assert "@tocns_demo_bot answers" in lines[5]
    assert "no webhook: the bot polls" in lines[6]
    assert "newest tocns-20261123-060000.sqlite3, 3 h ago" in lines[10]
    assert lines[-1] == "All 11 checks passed."


async def test_the_command_line_passes_on_a_good_installation(installation: Installation
                                                              ) -> None:
    await _good(installation)
    # The real clock and the real disk: a backup taken now is fresh.
    code, _, _ = await run_cli("backup", env=installation.env(), cwd=installation.root)
    assert code == 0
    code, out, err = await run_cli("doctor", "--lang", "en", env=installation.env(),
                                   cwd=installation.root)
    assert code == 0, out + err
    assert out.strip().splitlines()[-1] == "All 11 checks passed."
    vi_code, vi_out, _ = await run_cli("doctor", env=installation.env(), cwd=installation.root)
    assert vi_code == 0
    assert "Tất cả 11 mục kiểm tra đều đạt." in vi_out


@pytest.mark.parametrize(("token", "check", "fix"), [
    (TELEGRAM_TOKEN, "Telegram token", "@BotFather"),
    (ZALO_TOKEN, "Zalo token", "Zalo Bot Creator"),
])
async def test_a_refused_token_is_named_with_where_to_get_a_new_one(
        installation: Installation, token: str, check: str, fix: str) -> None:
    settings = await _good(installation)
    installation.platform.refused_tokens.add(token)
    code, lines = await _doctor(settings)
    assert code == 1
    assert _failing(lines) == [check]
    [line] = [line for line in lines if line.startswith(f"✗ {check}")]
    assert "refused" in line
    assert fix in line
    assert token not in "\n".join(lines)


async def test_an_unreachable_api_is_not_mistaken_for_a_bad_token(installation: Installation
                                                                  ) -> None:
    settings = installation.settings(TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
    await backup_now(settings, NOW)
    code, lines = await _doctor(settings)
    assert code == 1
    assert _failing(lines) == ["Telegram token"]
    assert "cannot reach http://127.0.0.1:9/bot" in lines[5]
    assert "firewall" in lines[5]


async def test_a_corrupted_database_is_named_and_the_newest_backup_offered(
        installation: Installation) -> None:
    settings = await _good(installation)
    with installation.database.open("r+b") as fh:  # garbage over the pages after the header
        fh.seek(4096)
        fh.write(b"\xde\xad\xbe\xef garbage " * 2000)
    code, lines = await _doctor(settings)
    assert code == 1
    assert _failing(lines) == ["Database"]
    [line] = [line for line in lines if line.startswith("✗ Database")]
    assert "is damaged" in line
    assert "python -m bot restore " + str(installation.backups / "tocns-20261123-060000.sqlite3") \
        in line


def _overwrite_with_text(database: Path) -> None:
    for companion in ("-wal", "-shm"):
        Path(f"{database}{companion}").unlink(missing_ok=True)
    database.write_bytes(b"this is not a database\n" * 100)


async def test_a_file_that_is_no_database_at_all_is_named(installation: Installation) -> None:
    settings = await _good(installation)
    _overwrite_with_text(installation.database)
    code, lines = await _doctor(settings)
    assert code == 1
    assert _failing(lines) == ["Database"]
    assert "not an SQLite database" in lines[2]


async def _set_webhook(installation: Installation, api: str, token: str, url: str) -> None:
    base = (installation.platform.bot_api_base_url if api == "telegram"
            else installation.platform.zalo_api_base_url)
    async with aiohttp.ClientSession() as session, session.post(
            f"{base}{token}/setWebhook",
            json={"url": url, "secret_token": "a-secret-of-the-other-server"}) as response:
        assert (await response.json())["ok"]


@pytest.mark.parametrize(("api", "token", "check"), [
    ("telegram", TELEGRAM_TOKEN, "Telegram webhook"),
    ("zalo", ZALO_TOKEN, "Zalo webhook"),
])
async def test_a_webhook_pointing_elsewhere_is_named(installation: Installation, api: str,
                                                     token: str, check: str) -> None:
    settings = await _good(installation)
    await _set_webhook(installation, api, token, "https://elsewhere.example.org/hook")
    code, lines = await _doctor(settings)
    assert code == 1
    assert _failing(lines) == [check]
    [line] = [line for line in lines if line.startswith(f"✗ {check}")]
    assert "https://elsewhere.example.org/hook" in line
    assert "another server uses the same token" in line


async def test_with_a_public_address_the_webhook_must_be_ours(installation: Installation
                                                              ) -> None:
    # WEB_BASE_URL arrives with the web server; the doctor reads it when the setting exists.
    settings = (await _good(installation)).model_copy(
        update={"web_base_url": "https://tocns.cantho.gov.vn"})
    code, lines = await _doctor(settings)
    assert _failing(lines) == ["Telegram webhook", "Zalo webhook"]
    assert "no webhook is set; expected one under https://tocns.cantho.gov.vn/" in lines[6]

    await _set_webhook(installation, "telegram", TELEGRAM_TOKEN,
                       "https://tocns.cantho.gov.vn/webhook/telegram")
    await _set_webhook(installation, "zalo", ZALO_TOKEN,
                       "https://old-server.example.org/webhook/zalo")
    code, lines = await _doctor(settings)
    assert code == 1
    assert _failing(lines) == ["Zalo webhook"]
    assert "updates are delivered to https://tocns.cantho.gov.vn/webhook/telegram" in lines[6]


async def test_pending_migrations_a_low_disk_and_an_old_backup_are_each_named(
        installation: Installation) -> None:
    settings = await _good(installation)
    async with Database(installation.database) as db, db.write() as conn:
        await conn.execute("DELETE FROM schema_migrations WHERE version = 5")
    tight = Usage(100 * 2**30, 95 * 2**30, 5 * 2**30)  # 5 GiB free, but only 5 %
    code, lines = await _doctor(settings, now=NOW + timedelta(days=3), usage=tight)
    assert code == 1
    assert _failing(lines) == ["Database", "Disk space", "Backups"]
    assert "migrations 0005 not applied yet" in lines[2]
    assert "only 5.0 GiB free of 100.0 GiB (5%)" in "\n".join(lines)
    assert "is 75 h old" in lines[-2]


async def test_a_stored_schedule_that_cannot_be_read_is_named(installation: Installation
                                                             ) -> None:
    settings = await _good(installation)
    async with Database(installation.database) as db, db.write() as conn:
        await conn.execute("INSERT INTO schedules (name, weekday, at_time, updated_at)"
                           " VALUES ('digest', 1, '27:90', '2026-11-01T00:00:00Z')")
    code, lines = await _doctor(settings)
    assert code == 1
    assert _failing(lines) == ["Schedules"]
    assert "digest 1 27:90" in lines[4]
    assert "/schedule" in lines[4]


async def test_a_check_that_cannot_even_look_fails_in_one_line(installation: Installation
                                                              ) -> None:
    settings = await _good(installation)

    def forbidden(folder: Path) -> Usage:
        raise PermissionError(13, "Permission denied", str(folder))

    code, lines = await doctor(settings, translator("en"), "en", now=NOW, disk_usage=forbidden)
    assert code == 1
    assert _failing(lines) == ["Disk space"]
    [line] = [line for line in lines if line.startswith("✗")]
    assert f"could not be checked (PermissionError: [Errno 13] Permission denied: " \
           f"'{installation.database.parent}')" in line
    assert line.endswith("→ run it as the bot's user: sudo tocns-bot doctor")


async def test_no_token_at_all_is_not_a_deployment(installation: Installation) -> None:
    settings = installation.settings(TELEGRAM_BOT_TOKEN="", ZALO_BOT_TOKEN="")
    await backup_now(settings, NOW)
    code, lines = await _doctor(settings)
    assert code == 1
    assert _failing(lines) == ["Channels"]


async def test_a_bad_setting_is_the_first_and_only_line(installation: Installation) -> None:
    code, out, _ = await run_cli("doctor", "--lang", "en",
                                 env=installation.env(BACKUP_KEEP="none"), cwd=installation.root)
    assert code == 1
    assert out.strip().splitlines() == [
        "✗ Configuration: Configuration error: BACKUP_KEEP: Input should be a valid integer, "
        "unable to parse string as an integer → correct that setting in .env (.env.example "
        "explains each one)"]


def test_every_verdict_of_the_doctor_has_its_message() -> None:
    catalogue = load_catalogue("vi")
    used = set()
    for module in ("bot/app/doctor.py", "bot/core/doctor_rules.py", "bot/app/preconditions.py"):
        used |= set(re.findall(r'"(doctor\.[a-z_.]+)"', (ROOT / module).read_text()))
    assert len(used) > 30
    assert used - set(catalogue) == set()
