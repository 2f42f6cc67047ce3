"""``python -m bot doctor``: is this installation fit to run? One line per check; 0 if all pass.

Configuration, the files the bot writes (``bot.app.preconditions``, the same checks ``run`` makes
before it starts), database (integrity, migrations, province), stored schedules, each configured
token
(getMe through the bot's own clients), each webhook against the settings, free disk on the
data folder, age of the newest backup. It only reads: it never migrates, creates or changes
anything, so it is safe to run next to the running bot (``sudo -u tocns ... doctor``).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.app.backups import latest_backup
from bot.app.preconditions import Outcome, file_access, hints, province_outcome
from bot.config import Settings
from bot.core.chat import ChannelError, Failure, TokenRefused, WrongAddress
from bot.core.doctor_rules import (
    Verdict,
    judge_backup,
    judge_disk,
    judge_migrations,
    judge_webhook,
)
from bot.core.i18n import Translator
from bot.core.schedule import QuietHours, Weekly
from storage.backup import applied_versions, check_database
from storage.db import BUSY_TIMEOUT_MS, migrations
from storage.repos.schedules import ScheduleRepo

DiskUsage = Callable[[Path], Any]  # shutil.disk_usage: (total, used, free)
#: Bot API calls of the doctor give up after this long (an unreachable API is a finding).
API_TIMEOUT_S = 10.0


__all__ = ["Outcome", "doctor", "examine", "render"]


def web_base_url(settings: Settings) -> str | None:
    """WEB_BASE_URL when the web server (webhooks) is configured; None when the bot polls."""
    value = getattr(settings, "web_base_url", None)
    return str(value) if value else None


async def examine(settings: Settings, now: datetime, *,
                  disk_usage: DiskUsage = shutil.disk_usage) -> list[Outcome]:
    """Every check, in the order an operator fixes things."""
    outcomes = [Outcome("doctor.name.configuration", Verdict(True, "doctor.config.ok"))]
    files = await _guarded("doctor.name.files", asyncio.to_thread(file_access, settings))
    outcomes += files
    # Files it may not write: SQLite cannot even read a WAL database soundly then, so the
    # database is not judged (it would look "damaged" when it is only out of reach).
    if all(outcome.verdict.ok for outcome in files):
        database = await _guarded("doctor.name.database",
                                  asyncio.to_thread(_database, settings))
        outcomes += database
        if all(outcome.verdict.ok for outcome in database):
            outcomes += await _guarded("doctor.name.province", province_outcome(settings))
            outcomes += await _guarded("doctor.name.schedules", _schedules(settings))
    if settings.telegram_bot_token is not None:
        outcomes += await _guarded("doctor.name.telegram_token",
                                   _telegram(settings, settings.telegram_bot_token, now))
    if settings.zalo_bot_token is not None:
        outcomes += await _guarded("doctor.name.zalo_token",
                                   _zalo(settings, settings.zalo_bot_token, now))
    if settings.sandbox_mode:
        outcomes.append(Outcome("doctor.name.channels", Verdict(
            False, "doctor.channels.none", {}, "doctor.channels.none_fix")))
    outcomes += await _guarded("doctor.name.disk",
                               asyncio.to_thread(_disk, settings, disk_usage))
    outcomes += await _guarded("doctor.name.backup",
                               asyncio.to_thread(_backup, settings, now))
    return outcomes


async def _guarded(name: str, check: Awaitable[Outcome | list[Outcome]]) -> list[Outcome]:
    """A check that cannot even look (a file it may not read...) fails in one line too."""
    try:
        found = await check
    except Exception as exc:
        return [Outcome(name, Verdict(False, "doctor.unchecked",
                                      {"error": f"{type(exc).__name__}: {exc}"},
                                      "doctor.unchecked_fix"))]
    return found if isinstance(found, list) else [found]


def _backup(settings: Settings, now: datetime) -> Outcome:
    latest = latest_backup(settings)
    return Outcome("doctor.name.backup", judge_backup(
        (latest[0].name, latest[1]) if latest else None, now,
        str(settings.backups_folder.absolute()), settings.backup_time))


def _database(settings: Settings) -> Outcome:
    path = settings.database_path.absolute()  # the operator sees which file, wherever they are
    found = check_database(path)
    name = "doctor.name.database"
    if found.code == "missing":
        return Outcome(name, Verdict(False, "doctor.db.missing", {"path": str(path)},
                                     "doctor.db.missing_fix"))
    if found.code in ("corrupt", "not_sqlite", "not_ours"):
        latest = latest_backup(settings)
        folder = settings.backups_folder.absolute()
        backup = str(latest[0].absolute()) if latest else str(folder / "tocns-….sqlite3")
        return Outcome(name, Verdict(False, "doctor.db.unsound",
                                     {"path": str(path), "problem": found.problem},
                                     "doctor.db.unsound_fix", {"backup": backup}))
    packaged = [version for version, _, _ in migrations()]
    return Outcome(name, judge_migrations(applied_versions(path), packaged, str(path)))


async def _schedules(settings: Settings) -> Outcome:
    name = "doctor.name.schedules"
    default_quiet = QuietHours.parse(settings.quiet_hours)
    async with aiosqlite.connect(f"file:{settings.database_path}?mode=ro", uri=True,
                                 timeout=BUSY_TIMEOUT_MS / 1000) as conn:
        try:
            current = await ScheduleRepo(conn).current(default_quiet)
        except (ValueError, TypeError) as exc:
            rows = await conn.execute_fetchall(
                "SELECT name, weekday, at_time, end_time FROM schedules ORDER BY name")
            stored = "; ".join(" ".join(str(v) for v in row if v is not None) for row in rows)
            return Outcome(name, Verdict(False, "doctor.schedules.bad",
                                         {"stored": stored, "error": str(exc)},
                                         "doctor.schedules.bad_fix"))
    return Outcome(name, Verdict(True, "doctor.schedules.ok", {
        "digest": current.digest, "reminder": current.reminder, "quiet": str(current.quiet)}))


def _unreachable(name: str, url: str, error: str) -> Outcome:
    return Outcome(name, Verdict(False, "doctor.token.unreachable", {"url": url, "error": error},
                                 "doctor.token.unreachable_fix"))


async def _telegram(settings: Settings, token: str, now: datetime) -> list[Outcome]:
    from bot.channels.telegram_check import check_telegram

    name = "doctor.name.telegram_token"
    try:
        check = await check_telegram(token, settings.telegram_api_base_url, API_TIMEOUT_S)
    except TokenRefused:
        # Never the error's text: python-telegram-bot puts the token in it.
        return [Outcome(name, Verdict(False, "doctor.token.refused", {"error": "401/404"},
                                      "doctor.token.telegram_fix"))]
    except ChannelError as exc:
        if exc.failure is not Failure.TRANSIENT:
            raise
        return [_unreachable(name, settings.telegram_api_base_url, _cause_name(exc))]
    token_ok = Outcome(name, Verdict(True, "doctor.token.ok", {"bot": f"@{check.username}"}))
    if check.webhook is None:
        return [token_ok, Outcome("doctor.name.telegram_webhook", Verdict(
            False, "doctor.webhook.unreadable", {"error": check.webhook_error},
            "doctor.token.unreachable_fix"))]
    hook = check.webhook
    return [token_ok, Outcome("doctor.name.telegram_webhook", judge_webhook(
        hook.url, web_base_url(settings), last_error=hook.last_error,
        last_error_at=hook.last_error_at, now=now))]


def _cause_name(error: ChannelError) -> str:
    """The library's name for what went wrong (``TimedOut``), never its text."""
    return type(error.__cause__).__name__ if error.__cause__ is not None else str(error.code)


async def _zalo(settings: Settings, token: str, now: datetime) -> list[Outcome]:
    from bot.channels.zalo_api import ZaloApi

    name = "doctor.name.zalo_token"
    api = ZaloApi(token, settings.zalo_api_base_url, retries=0, request_timeout=API_TIMEOUT_S)
    try:
        try:
            me = await api.get_me()
        except WrongAddress as exc:
            return [Outcome(name, Verdict(False, "doctor.token.not_api", {
                "url": settings.zalo_api_base_url, "error": f"{exc.code} {exc.answer}"},
                "doctor.token.not_api_fix"))]
        except TokenRefused as exc:
            return [Outcome(name, Verdict(False, "doctor.token.refused", {"error": str(exc.code)},
                                          "doctor.token.zalo_fix"))]
        except ChannelError as exc:
            what = str(exc.code) if exc.code is not None else _cause_name(exc)
            return [_unreachable(name, settings.zalo_api_base_url, what)]
        token_ok = Outcome(name, Verdict(True, "doctor.token.ok", {
            "bot": str(me.get("account_name") or me.get("id") or "?")}))
        try:
            info = await api.call("getWebhookInfo", retry=False)
        except ChannelError as exc:
            return [token_ok, Outcome("doctor.name.zalo_webhook", Verdict(
                False, "doctor.webhook.unreadable",
                {"error": exc.code if exc.code is not None else _cause_name(exc)},
                "doctor.token.unreachable_fix"))]
        url = str(info.get("url") or "") if isinstance(info, dict) else ""
        return [token_ok, Outcome("doctor.name.zalo_webhook",
                                  judge_webhook(url, web_base_url(settings), now=now))]
    finally:
        await api.close()


def _disk(settings: Settings, disk_usage: DiskUsage) -> Outcome:
    folder = settings.database_path.parent.absolute()
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent  # not created yet: the disk it will be created on
    usage = disk_usage(probe)
    return Outcome("doctor.name.disk", judge_disk(usage.free, usage.total, str(folder)))


def _weekly(t: Translator, lang: str, value: object) -> object:
    if isinstance(value, Weekly):
        return t(lang, "schedule.weekly_value", day=t(lang, f"schedule.day_{value.weekday}"),
                 time=f"{value.at:%H:%M}")
    return value


def render(t: Translator, lang: str, outcomes: list[Outcome]) -> list[str]:
    """``✓ name: what was found`` or ``✗ name: what was found → what to do``; then a summary."""
    lines = []
    how = hints()
    for outcome in outcomes:
        verdict = outcome.verdict
        params = {key: _weekly(t, lang, value) for key, value in verdict.params.items()}
        line = f"{t(lang, outcome.name)}: {t(lang, verdict.key, **params)}"
        if verdict.ok:
            lines.append(f"✓ {line}")
        else:
            fix = t(lang, verdict.fix, **{**how, **verdict.fix_params}) if verdict.fix else ""
            lines.append(f"✗ {line}" + (f" → {fix}" if fix else ""))
    failed = sum(not outcome.verdict.ok for outcome in outcomes)
    lines.append(t(lang, "doctor.summary.failed", failed=failed, count=len(outcomes)) if failed
                 else t(lang, "doctor.summary.ok", count=len(outcomes)))
    return lines


def configuration_failed(t: Translator, lang: str, error: str) -> list[str]:
    """When the settings cannot be read nothing else can be checked: one line says why."""
    return [f"✗ {t(lang, 'doctor.name.configuration')}: {error} → "
            f"{t(lang, 'doctor.config.fix', **hints())}"]


async def doctor(settings: Settings, t: Translator, lang: str, *,
                 now: datetime | None = None,
                 disk_usage: DiskUsage = shutil.disk_usage) -> tuple[int, list[str]]:
    """(exit code, lines): 0 only when every check passed."""
    outcomes = await examine(settings, now or datetime.now(UTC), disk_usage=disk_usage)
    return (0 if all(o.verdict.ok for o in outcomes) else 1), render(t, lang, outcomes)
