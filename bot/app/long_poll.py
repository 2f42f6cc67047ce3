"""What every long-polling loop shares: start, a stop that cuts an idle wait short, back-off.

A loop is cancelled only while it waits (a long poll or a back-off pause): an update in hand
is always finished, so nothing fetched is dropped by a stop.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod

MAX_BACKOFF = 30.0


class LongPoll(ABC):
    def __init__(self, name: str, backoff: float) -> None:
        self.name = name
        self.backoff = backoff
        self._stop = asyncio.Event()
        self._waiting = False  # inside a long poll or a back-off: safe to cancel
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def _run(self) -> None: ...

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
        self._waiting = True
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)
        finally:
            self._waiting = False
