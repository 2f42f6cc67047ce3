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
- ``backup:daily``: at BACKUP_TIME (02:30 by default, local time) a backup into BACKUP_DIR,
  keeping the newest BACKUP_KEEP; and ``backup:catch-up`` once, two minutes after start-up,
  when the newest backup is a day old (a server switched off at night never sees 02:30).
- ``files:cleanup``: every 15 minutes, deletes expired file links and their files.
- ``database:scrub``: every minute, folds the WAL into the database and truncates it, so the
  texts of handled messages (cleared from the inbox) do not stay readable in the ``-wal`` file.

Each run is counted, with its duration, in the bot's metrics (``/metrics``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app.backups import backup_names, scheduled_backup
from bot.app.housekeeping import purge_expired
from bot.app.sender import Sender
from bot.app.services import Services
from bot.core.backup_names import catch_up_due
from bot.core.schedule import DIGEST, REMINDER, Weekly
from handlers.kit.outbox import default_quiet
from handlers.steering.weekly import run_due_work

log = logging.getLogger(__name__)

DRAIN_JOB = "outbox:drain"
RETENTION_JOB = "retention:daily"
#: The daily clean-up runs at this local time (quiet, nobody is logging).
RETENTION_AT = (3, 15)
DRAIN_INTERVAL_S = 30
CLEANUP_JOB = "files:cleanup"
CLEANUP_INTERVAL_S = 15 * 60
SCRUB_JOB = "database:scrub"
SCRUB_INTERVAL_S = 60
#: At start-up, caught-up messages go out before polling starts, for at most this long.
STARTUP_DRAIN_S = 15.0
BACKUP_JOB = "backup:daily"
CATCH_UP_BACKUP_JOB = "backup:catch-up"
#: The start-up backup waits until the start-up catch-up of messages is out of the way.
CATCH_UP_BACKUP_DELAY = timedelta(minutes=2)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def weekly_text(weekly: Weekly) -> str:
    """``Tue 07:30`` for the log, not the dataclass's repr."""
    return f"{_DAYS[weekly.weekday - 1]} {weekly.at:%H:%M}"


def job_id(name: str) -> str:
    return f"{name}:weekly"


def cron_day(weekly: Weekly) -> int:
    """APScheduler counts days from Monday = 0; ISO from Monday = 1."""
    return weekly.weekday - 1


class Scheduling:
    """The sender task and the jobs of one running bot.

    Built before the services, which hand it to the handlers (``services.scheduling``: wake the
    sender, reschedule, is it running); started with those services by :func:`scheduling`.
    Before the start and after the stop it does nothing and says it is not running.
    """

    def __init__(self) -> None:
        self._services: Services | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self._sender: Sender | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the jobs have not been started")
        return self._services

    @property
    def sender(self) -> Sender:
        if self._sender is None:
            raise RuntimeError("the jobs have not been started")
        return self._sender

    async def start(self, services: Services) -> None:
        if services.scheduling is not self:
            raise ValueError("these services hand out other jobs to their handlers")
        self._services = services
        self.scheduler = AsyncIOScheduler(timezone=services.settings.tz)
        self._sender = Sender(services, global_rate=services.settings.send_rate_per_second)
        await self.sender.recover()
        await self.register()
        self.scheduler.start()
        try:
            await run_due_work(services)  # catch-up: a time that passed while down
            await asyncio.wait_for(self.sender.drain(), STARTUP_DRAIN_S)
        except TimeoutError:
            log.info("start-up backlog continues in the background")
        except Exception:
            log.exception("start-up catch-up failed; the jobs will try again")
        self._ensure_sender()

    async def stop(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.running:  # stopping twice is harmless
            scheduler.shutdown(wait=False)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._sender = None

    def _ensure_sender(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.sender.run(), name="outbox-sender")

    async def register(self) -> None:
        """(Re)create the jobs from the stored schedules; the same ids replace the old ones."""
        if self.scheduler is None:
            return
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
        self._register_backups()
        self.scheduler.add_job(purge_expired, CronTrigger(hour=RETENTION_AT[0],
                                                          minute=RETENTION_AT[1], timezone=tz),
                               args=(self.services,), id=RETENTION_JOB, name=RETENTION_JOB,
                               replace_existing=True, misfire_grace_time=6 * 3600, coalesce=True)
        self.scheduler.add_job(self.clean_up_files, IntervalTrigger(seconds=CLEANUP_INTERVAL_S),
                               id=CLEANUP_JOB, name=CLEANUP_JOB, replace_existing=True)
        self.scheduler.add_job(self.scrub, IntervalTrigger(seconds=SCRUB_INTERVAL_S),
                               id=SCRUB_JOB, name=SCRUB_JOB, replace_existing=True)
        log.info("jobs scheduled: digest %s, reminder %s, quiet hours %s",
                 weekly_text(schedules.digest), weekly_text(schedules.reminder), schedules.quiet)

    def wake_sender(self) -> None:
        """Something was just enqueued (a broadcast): send now rather than at the next poll."""
        if self._sender is not None:
            self._sender.wake()

    async def drain_now(self) -> None:
        """Send whatever is due at once (a channel just came up with messages waiting)."""
        if self._sender is not None:
            await self._sender.drain()

    async def reschedule(self) -> None:
        """After /schedule: re-register the jobs from the stored schedules."""
        await self.register()
        self.wake_sender()

    def _register_backups(self) -> None:
        assert self.scheduler is not None
        settings = self.services.settings
        at = settings.backup_at
        self.scheduler.add_job(
            self.backup, CronTrigger(hour=at.hour, minute=at.minute, timezone=settings.tz),
            id=BACKUP_JOB, name=BACKUP_JOB, replace_existing=True, misfire_grace_time=3600,
            coalesce=True)
        if catch_up_due(backup_names(settings.backups_folder), self.services.clock(),
                        settings.tz):
            self.scheduler.add_job(
                self.catch_up_backup,
                DateTrigger(datetime.now(settings.tz) + CATCH_UP_BACKUP_DELAY),
                id=CATCH_UP_BACKUP_JOB, name=CATCH_UP_BACKUP_JOB, replace_existing=True)

    async def backup(self) -> None:
        await scheduled_backup(self.services.settings, self.services.clock())

    async def catch_up_backup(self) -> bool:
        """The start-up backup, if one is still due when it runs: started just before the
        nightly time, the nightly backup has been taken meanwhile. Whether it took one."""
        settings = self.services.settings
        if not catch_up_due(backup_names(settings.backups_folder), self.services.clock(),
                            settings.tz):
            log.info("start-up backup not needed: a recent one was taken meanwhile")
            return False
        await self.backup()
        return True

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

    async def scrub(self) -> bool:
        return await self.services.metrics.timed_job(SCRUB_JOB, self.services.db.scrub_wal)

    @property
    def running(self) -> bool:
        return self.scheduler is not None and bool(self.scheduler.running) \
            and self._task is not None and not self._task.done()


async def drain_now(services: Services) -> None:
    """Send whatever is due at once, if the jobs run (tests, a channel that just came up)."""
    if isinstance(services.scheduling, Scheduling):
        await services.scheduling.drain_now()


def scheduled_jobs(services: Services) -> dict[str, str]:
    """Job id → next run time (ISO), for /schedule and tests."""
    jobs = services.scheduling
    if not isinstance(jobs, Scheduling) or jobs.scheduler is None:
        return {}
    return {job.id: job.next_run_time.isoformat() if job.next_run_time else ""
            for job in jobs.scheduler.get_jobs()}


@contextlib.asynccontextmanager
async def scheduling(services: Services) -> AsyncIterator[Scheduling]:
    """Jobs registered, missed work caught up, the outbox sender running, for the block: the
    jobs the services were built with (see :class:`Scheduling`)."""
    running = services.scheduling
    if not isinstance(running, Scheduling):
        raise ValueError("these services were built without jobs (make_services(jobs=...))")
    await running.start(services)
    try:
        yield running
    finally:
        await running.stop()
