"""Backups of the running bot: into BACKUP_DIR, the newest BACKUP_KEEP kept.

Used by ``python -m bot backup``, the daily job (``bot.app.jobs``, at BACKUP_TIME local time), the
start-up catch-up (a server switched off at night misses 02:30) and ``doctor``. The copy itself
is ``storage.backup.take_backup``, run in a thread: it never stops the bot from answering.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.core.backup_names import backup_name, newest, to_prune
from storage.backup import Backup, take_backup

log = logging.getLogger(__name__)


def backup_names(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in folder.iterdir() if entry.is_file()]
    except FileNotFoundError:
        return []


def latest_backup(settings: Settings) -> tuple[Path, datetime] | None:
    """The newest backup in BACKUP_DIR and when it was taken (for doctor and metrics)."""
    folder = settings.backups_folder
    found = newest(backup_names(folder), settings.tz)
    return (folder / found[0], found[1]) if found else None


def prune(settings: Settings) -> list[Path]:
    """Delete the backups beyond the newest BACKUP_KEEP; other files are left alone."""
    folder = settings.backups_folder
    removed = []
    for name in to_prune(backup_names(folder), settings.backup_keep, settings.tz):
        (folder / name).unlink(missing_ok=True)
        removed.append(folder / name)
    return removed


async def backup_now(settings: Settings, now: datetime, dest: Path | None = None) -> Backup:
    """Copy the database to ``dest``, or into BACKUP_DIR (then prune to BACKUP_KEEP)."""
    target = dest or settings.backups_folder / backup_name(now, settings.tz)
    started = time.monotonic()
    backup = await asyncio.to_thread(take_backup, settings.database_path, target)
    removed = await asyncio.to_thread(prune, settings) if dest is None else []
    log.info("backup written: %s (%d bytes, schema %d, %.1f s); %d old backup(s) removed",
             backup.path, backup.size, backup.schema_version, time.monotonic() - started,
             len(removed))
    return backup


async def scheduled_backup(settings: Settings, now: datetime) -> Backup | None:
    """The daily job: a failure is logged (doctor reports the stale backup), never raised."""
    try:
        return await backup_now(settings, now)
    except Exception:
        log.exception("daily backup into %s failed", settings.backups_folder)
        return None
