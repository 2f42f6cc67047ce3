"""A province's allowance total, added up aside so that a page never waits a second for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from bot.core.calendar import Period
from bot.core.permissions import Scope
from handlers.kit.context import Services
from handlers.steering import dashboard as figures
from storage.repos import Repos

log = logging.getLogger(__name__)


class NotServing(RuntimeError):
    """The web server listens, the bot is not built yet (the sandbox demo starting)."""


class AllowanceTotals:
    """A province's allowance total of a month, added up aside and kept :data:`KEEP_TOTAL`: the
    35,000 members' days on duty take a second or more to read, too long for a page. A page
    that finds none ready waits :data:`WAIT_S`, then says it is being added up (a reload shows
    it); rules and late sessions show within :data:`KEEP_TOTAL`."""

    KEEP_TOTAL = timedelta(minutes=10)
    WAIT_S = 0.2

    def __init__(self, served: Callable[[], Services | None]) -> None:
        self._served = served
        self._done: dict[tuple[str, str], tuple[datetime, int | None]] = {}
        self._running: dict[tuple[str, str], asyncio.Task[int | None]] = {}

    @property
    def services(self) -> Services:
        services = self._served()
        if services is None:
            raise NotServing
        return services

    async def total(self, scope: Scope, month: Period, today: date, now: datetime
                    ) -> tuple[int | None, bool]:
        """(the total or None when no rule applies, whether it is still being added up)."""
        key = (figures.place_code(scope), month.code)
        done = self._done.get(key)
        if done is not None and now - done[0] < self.KEEP_TOTAL:
            return done[1], False
        if await self.services.read.allowance.for_month(month.start) is None:
            return None, False
        task = self._running.get(key)
        if task is None:
            task = asyncio.ensure_future(self._add_up(key, scope, month, today, now))
            task.add_done_callback(_report_failure)
            self._running[key] = task
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.WAIT_S), False
        except TimeoutError:
            return None, True

    async def _add_up(self, key: tuple[str, str], scope: Scope, month: Period, today: date,
                      now: datetime) -> int | None:
        try:
            # On a connection of its own: its long read holds up no other page or chat.
            async with self.services.db.reading() as conn:
                total = await figures.allowance_total(Repos(conn), scope, month, today)
            # Only fresh totals are kept: a month looked at once is not remembered for ever.
            self._done = {k: v for k, v in self._done.items()
                          if now - v[0] < self.KEEP_TOTAL}
            self._done[key] = (now, total)
            return total
        finally:
            self._running.pop(key, None)


def _report_failure(task: asyncio.Task[int | None]) -> None:
    """A total that could not be added up is logged (the page that waited got the error page;
    one that gave up waiting would never hear of it)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("a province's allowance total failed", exc_info=task.exception())
