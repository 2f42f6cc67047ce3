"""Wake-ups for long polls: waiters block on an event instead of sleeping in a loop."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable


class Notifier:
    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.closed = False

    def notify(self) -> None:
        """Wake every current waiter; later waiters wait for the next change."""
        self._event.set()
        self._event = asyncio.Event()

    def close(self) -> None:
        """Release all waiters for good (server shutdown)."""
        self.closed = True
        self._event.set()

    async def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``ready()`` holds or ``timeout`` seconds pass; returns ``ready()``."""
        deadline = time.monotonic() + max(0.0, timeout)
        while not ready() and not self.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            # No await between the check and taking the event, so no wake-up is ever missed.
            event = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return ready()
