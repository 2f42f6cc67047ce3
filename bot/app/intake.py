"""The durable intake of one channel: updates are stored before they are acknowledged.

A poller (or a webhook) hands each batch to :meth:`Intake.accept`, which writes it to the
inbox in one transaction and only then returns — Telegram's next getUpdates offset, or the
webhook's 200, is what acknowledges the batch, so an update is never acknowledged before it is
safe. Each new update is then dispatched in a task of its own (different chats concurrently,
one chat in order: the dispatcher's per-chat lock is taken in arrival order). At start-up,
:meth:`replay` handles what a crash left received but not handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.app.services import Services
from bot.core.chat import ChannelPort, Incoming, incoming_from_payload, incoming_to_payload
from handlers.kit.dispatch import Dispatcher
from storage.repos.inbox import Arrival, store_arrivals

log = logging.getLogger(__name__)

#: How long a shutdown waits for updates in hand before cutting them short (they replay).
CLOSE_GRACE_S = 10.0


class Intake:
    """One channel's updates into the inbox, and from there through its own dispatcher (made
    with the services: the update is all it is handed)."""

    def __init__(self, services: Services, port: ChannelPort) -> None:
        self.services = services
        self.dispatcher = Dispatcher(services, services.routes)
        self.port = port
        self.channel = port.name
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepted = 0

    async def accept(self, batch: Sequence[Incoming]) -> int:
        """Store a batch (one transaction) and start handling what is new; how many were."""
        if not batch:
            return 0
        arrivals = [Arrival(inc.update_key, inc.chat_id, incoming_to_payload(inc))
                    for inc in batch]
        fresh = await store_arrivals(self.services.db, self.channel, arrivals,
                                     self.services.clock())
        fresh_keys = {a.update_key for a in fresh}
        skipped = len(batch) - len(fresh)
        if skipped:
            log.info("%d re-delivered %s update(s) skipped", skipped, self.channel)
            self.services.metrics.duplicates.labels(self.channel).inc(skipped)
        for inc in batch:
            if inc.update_key in fresh_keys:
                fresh_keys.discard(inc.update_key)
                self._spawn(inc)
        self.accepted += len(fresh)
        return len(fresh)

    async def replay(self) -> int:
        """Handle what was received but not handled before the last stop (a crash)."""
        pending = await self.services.read.inbox.pending(self.channel)
        for arrival in pending:
            self._spawn(incoming_from_payload(arrival.payload))
        if pending:
            log.info("handling %d %s update(s) received before a restart", len(pending),
                     self.channel)
        return len(pending)

    def _spawn(self, inc: Incoming) -> None:
        task = asyncio.create_task(self.dispatcher.dispatch(self.port, inc),
                                   name=f"update:{self.channel}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until every update in hand is handled (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace: float = CLOSE_GRACE_S) -> None:
        """Let updates in hand finish for a while; what is cut short is handled at start-up."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(list(self._tasks), timeout=grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.gather(*late, return_exceptions=True)
            log.info("%d %s update(s) cut short; they are handled at the next start",
                     len(late), self.channel)
