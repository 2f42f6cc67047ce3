"""The one long-polling loop of every channel: fetch, store, back off after a failure, and a
stop that cuts an idle wait short.

A channel says how it fetches (:meth:`LongPoll._fetch`) and how it stores what came
(:meth:`LongPoll._store`, the durable inbox); the loop does the rest. What is fetched is stored
before the next fetch, and the next fetch is what acknowledges it (Telegram's offset, Zalo's
next call), so a crash never loses an update in hand. A loop is cancelled only while it waits
(a long poll or a back-off pause): an update in hand is always finished, so nothing fetched is
dropped by a stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.app.intake import Intake
from bot.core.chat import ChannelError

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0

_Got = TypeVar("_Got")


@dataclass
class PollerStats:
    updates: int = 0  # fetches that brought something
    empty_polls: int = 0  # the long poll ended with nothing new (Zalo: a 408)
    errors: int = 0  # failed fetches (network, 5xx...), each followed by a back-off


class LongPoll(ABC, Generic[_Got]):
    def __init__(self, name: str, backoff: float,
                 on_error: Callable[[], None] | None = None) -> None:
        self.name = name
        self.backoff = backoff
        self.stats = PollerStats()
        self._on_error = on_error
        self._stop = asyncio.Event()
        self._waiting = False  # inside a long poll or a back-off: safe to cancel
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def _fetch(self) -> _Got | None:
        """One long poll: what came, or None when it ended with nothing new."""

    @abstractmethod
    async def _store(self, got: _Got) -> None:
        """Put what came where it survives a crash, before the next fetch acknowledges it."""

    def _fatal(self, error: Exception) -> bool:
        """A failed fetch that waiting cannot mend ends the loop; others are tried again."""
        return False

    async def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._waiting = True
                try:
                    got = await self._fetch()
                finally:
                    self._waiting = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._fatal(exc):
                    raise
                self.stats.errors += 1
                if self._on_error is not None:
                    self._on_error()
                failures += 1
                delay = self._delay(failures)
                log.warning("%s: getUpdates failed (%s); next try in %.1fs", self.name,
                            _what(exc), delay)
                await self._pause(delay)
                continue
            failures = 0
            if got is None:
                self.stats.empty_polls += 1
                continue
            self.stats.updates += 1
            try:
                await self._store(got)
            except Exception:
                # Not acknowledged: Telegram hands it over again; Zalo has moved past it.
                log.exception("%s: what came could not be stored", self.name)
                await self._pause(self.backoff)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Stop after what is in hand; an idle long poll or pause is cut short."""
        self._stop.set()
        task = self._task
        if task is None:
            return
        if self._waiting:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def _delay(self, failures: int) -> float:
        """Exponential back-off after ``failures`` failed polls in a row, capped."""
        return min(MAX_BACKOFF, self.backoff * 2.0 ** (failures - 1))

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the loop is stopped meanwhile."""
        self._waiting = True
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)
        finally:
            self._waiting = False


async def stop_receiving(intake: Intake, poller: LongPoll[Any] | None,
                         detach: Callable[[], Awaitable[None]] | None) -> None:
    """A channel stops receiving in this order: no more polls, no more webhook deliveries, then
    the updates in hand get their grace period (what is cut short stays in the inbox)."""
    if poller is not None:
        await poller.stop()
    if detach is not None:
        await detach()
    await intake.close()


def _what(error: Exception) -> str:
    """For the log: a channel's own reason (no message text in it), else the error's type."""
    return error.reason if isinstance(error, ChannelError) else type(error).__name__
