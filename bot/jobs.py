"""The scheduled jobs: built from the stored schedules, with stable ids, at start-up and on change.

Jobs run on APScheduler 3's AsyncIOScheduler, owned here rather than borrowed from
python-telegram-bot's JobQueue: the schedule must run whichever channels are configured — a
Zalo-only deployment has no Telegram application at all. They are not persisted: the database
holds the schedules and the outbox, so at start-up the jobs are simply created again (same ids,
``replace_existing``) and missed work is caught up by ``run_due_work``.

- ``digest:weekly`` and ``reminder:weekly``: a cron trigger on the stored weekday and time, in
  the configured zone; they call ``run_due_work`` and wake the sender.
- ``outbox:drain``: every 30 s, wakes the sender (and restarts it if it ever died), so items
  held back by quiet hours go out when they end.
- ``files:cleanup``: every 15 minutes, deletes expired file links and their files.

Each run is counted, with its duration, in the bot's metrics (``/metrics``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.outbox import default_quiet
from bot.schedule import DIGEST, REMINDER, Weekly
from bot.sender import Sender
from bot.weekly import run_due_work
from handlers.context import Services
from storage.db import Database

log = logging.getLogger(__name__)

DRAIN_JOB = "outbox:drain"
DRAIN_INTERVAL_S = 30
CLEANUP_JOB = "files:cleanup"
CLEANUP_INTERVAL_S = 15 * 60
#: At start-up, caught-up messages go out before polling starts, for at most this long.
STARTUP_DRAIN_S = 15.0

_running: weakref.WeakKeyDictionary[Database, Scheduling] = weakref.WeakKeyDictionary()


def job_id(name: str) -> str:
    return f"{name}:weekly"


def cron_day(weekly: Weekly) -> int:
    """APScheduler counts days from Monday = 0; ISO from Monday = 1."""
    return weekly.weekday - 1


class Scheduling:
    """The sender task and the jobs of one running bot."""

    def __init__(self, services: Services, sender: Sender | None = None) -> None:
        self.services = services
        self.scheduler = AsyncIOScheduler(timezone=services.settings.tz)
        self.sender = sender or Sender(services,
                                       global_rate=services.settings.send_rate_per_second)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.sender.recover()
        await self.register()
        self.scheduler.start()
        try:
            await run_due_work(self.services)  # catch-up: a time that passed while down
            await asyncio.wait_for(self.sender.drain(), STARTUP_DRAIN_S)
        except TimeoutError:
            log.info("start-up backlog continues in the background")
        except Exception:
            log.exception("start-up catch-up failed; the jobs will try again")
        self._ensure_sender()
        _running[self.services.db] = self

    async def stop(self) -> None:
        _running.pop(self.services.db, None)
        if self.scheduler.running:  # stopping twice is harmless
            self.scheduler.shutdown(wait=False)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _ensure_sender(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.sender.run(), name="outbox-sender")

    async def register(self) -> None:
        """(Re)create the jobs from the stored schedules; the same ids replace the old ones."""
        schedules = await self.services.read.schedules.current(default_quiet(self.services))
        tz = self.services.settings.tz
        for name, weekly in ((DIGEST, schedules.digest), (REMINDER, schedules.reminder)):
            self.scheduler.add_job(
                self._due, CronTrigger(day_of_week=cron_day(weekly), hour=weekly.at.hour,
                                       minute=weekly.at.minute, timezone=tz),
                args=(job_id(name),), id=job_id(name), name=job_id(name), replace_existing=True,
                misfire_grace_time=3600, coalesce=True)
        self.scheduler.add_job(self._drain, IntervalTrigger(seconds=DRAIN_INTERVAL_S),
                               id=DRAIN_JOB, name=DRAIN_JOB, replace_existing=True)
        self.scheduler.add_job(self.clean_up_files, IntervalTrigger(seconds=CLEANUP_INTERVAL_S),
                               id=CLEANUP_JOB, name=CLEANUP_JOB, replace_existing=True)
        log.info("jobs scheduled: digest %s, reminder %s, quiet %s", schedules.digest,
                 schedules.reminder, schedules.quiet)

    async def _due(self, job: str = "due") -> None:
        await self.services.metrics.timed_job(job, lambda: run_due_work(self.services))
        self.sender.wake()

    async def _drain(self) -> None:
        async def drain() -> None:
            self._ensure_sender()
            self.sender.wake()

        await self.services.metrics.timed_job(DRAIN_JOB, drain)

    async def clean_up_files(self) -> int:
        links = self.services.links
        if links is None:
            return 0
        return await self.services.metrics.timed_job(CLEANUP_JOB, links.clean_up)

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running) and self._task is not None \
            and not self._task.done()


def wake_sender(services: Services) -> None:
    """Something was just enqueued (a broadcast): send now rather than at the next poll."""
    scheduling = _running.get(services.db)
    if scheduling is not None:
        scheduling.sender.wake()


async def drain_now(services: Services) -> None:
    """Send whatever is due at once (a channel just came up with messages waiting for it)."""
    scheduling = _running.get(services.db)
    if scheduling is not None:
        await scheduling.sender.drain()


async def reschedule(services: Services) -> bool:
    """After /schedule: re-register the running bot's jobs (False when none is running)."""
    scheduling = _running.get(services.db)
    if scheduling is None:
        return False
    await scheduling.register()
    scheduling.sender.wake()
    return True


def scheduler_running(services: Services) -> bool:
    """Whether this bot's jobs are scheduled and its outbox sender is alive (for /healthz)."""
    scheduling = _running.get(services.db)
    return scheduling is not None and scheduling.running


def scheduled_jobs(services: Services) -> dict[str, str]:
    """Job id → next run time (ISO), for /schedule and tests."""
    scheduling = _running.get(services.db)
    if scheduling is None:
        return {}
    return {job.id: job.next_run_time.isoformat() if job.next_run_time else ""
            for job in scheduling.scheduler.get_jobs()}


@contextlib.asynccontextmanager
async def scheduling(services: Services) -> AsyncIterator[Scheduling]:
    """Jobs registered, missed work caught up, the outbox sender running, for the block."""
    running = Scheduling(services)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
