"""Gathering the figures of ``/healthz``, ``/metrics`` and ``/status`` from the running bot.

The verdict itself is the pure rule in ``bot.core.health``; this module only looks: the database
(one read with a short timeout), the scheduler, the outbox backlog, the channels' latest
updates and the newest backup file.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.health import OUTBOX_STUCK, HealthFigures, problems
from bot.core.schedule import QuietHours
from handlers.kit.context import Services
from handlers.kit.outbox import default_quiet
from storage.repos import Repos

log = logging.getLogger(__name__)

#: A database that takes longer than this to answer one read counts as unreachable.
DATABASE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class HealthReport:
    now: datetime
    figures: HealthFigures
    quiet: QuietHours
    problems: tuple[str, ...]

    @property
    def oldest_due_age(self) -> timedelta | None:
        """How long the oldest due outbox item has waited (quiet hours included)."""
        oldest = self.figures.oldest_due
        return None if oldest is None else max(timedelta(0), self.now - oldest)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        figures = self.figures
        return {
            "status": "ok" if self.ok else "failing",
            "problems": list(self.problems),
            "database": figures.database,
            "scheduler": figures.scheduler,
            "outbox": {
                "depth": figures.outbox_depth,
                "oldest_due_age_seconds": _seconds(self.oldest_due_age),
            },
            "last_update": {channel: moment.isoformat()
                            for channel, moment in sorted(figures.last_updates.items())},
            "backup_age_seconds": _seconds(figures.backup_age),
        }


def _seconds(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def newest_backup_age(folder: Path, wall_now: float | None = None) -> timedelta | None:
    """Age of the newest file in the backup folder (wall-clock time); None when there is none."""
    try:
        times = [entry.stat().st_mtime for entry in folder.iterdir()
                 if entry.is_file() and not entry.name.startswith(".")]
    except OSError:
        return None
    if not times:
        return None
    now = time.time() if wall_now is None else wall_now
    return timedelta(seconds=max(0.0, now - max(times)))


async def gather(services: Services) -> HealthReport:
    now = services.clock()
    settings = services.settings
    quiet = default_quiet(services)
    database, depth, oldest = False, None, None
    last: dict[str, datetime] = {}
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_S):
            read = Repos(services.db.reader)
            database = await services.db.ping()
            backlog = await read.outbox.backlog(now)
            depth, oldest = backlog.depth, backlog.oldest_due
            last = await read.inbox.last_arrivals()
            quiet = (await read.schedules.current(quiet)).quiet
    except Exception as exc:  # unreachable, locked, corrupt, closed: all the same to a probe
        log.warning("health check: the database did not answer (%s)", type(exc).__name__)
        database = False
    for channel, moment in services.metrics.last_received.items():  # not handled yet, maybe
        last[channel] = max(moment, last.get(channel, moment))
    backup_age = await asyncio.to_thread(newest_backup_age, settings.backups_folder)
    running = services.scheduling is not None and services.scheduling.running
    figures = HealthFigures(database=database, scheduler=running,
                            outbox_depth=depth, oldest_due=oldest, last_updates=last,
                            backup_age=backup_age)
    return HealthReport(now=now, figures=figures, quiet=quiet,
                        problems=problems(figures, now, quiet, settings.tz))


async def refresh_gauges(services: Services) -> HealthReport:
    """Set the gauges read at scrape time; the report, for whoever asked."""
    report = await gather(services)
    metrics = services.metrics
    figures = report.figures
    metrics.database_up.set(1 if figures.database else 0)
    metrics.scheduler_up.set(1 if figures.scheduler else 0)
    if figures.outbox_depth is not None:
        metrics.outbox_depth.set(figures.outbox_depth)
    age = report.oldest_due_age
    metrics.outbox_oldest_due_age.set(age.total_seconds() if age is not None else 0)
    metrics.outbox_stuck.set(1 if OUTBOX_STUCK in report.problems else 0)
    metrics.set_backup_age(figures.backup_age)
    if figures.database:
        metrics.file_links.set(await Repos(services.db.reader).file_links.count())
    return report
