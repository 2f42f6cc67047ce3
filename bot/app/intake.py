"""The durable intake of one channel: updates are stored before they are acknowledged.

A poller (or a webhook) hands each batch to :meth:`Intake.accept`, which writes it to the
inbox in one transaction and only then returns — Telegram's next getUpdates offset, or the
webhook's 200, is what acknowledges the batch, so an update is never acknowledged before it is
safe. At start-up, :meth:`replay` queues what a crash left received but not handled.

Handling is bounded and fair. Each chat has a queue of its stored updates, handled one at a
time in arrival order; at most ``in_flight`` chats are handled at once (so a backlog of tens of
thousands of updates after an outage does not become as many tasks, all reading the database
at once). When a slot frees, it goes to the waiting chat that has been served least since it
last had nothing waiting, and among those to the one whose update came last: a person writing
now, outside the backlog, is answered next, while every backlogged chat still gets one update
handled per round, in its own order. The answers of the updates in hand queue for the
platform's send budget in the same order. What is queued in memory is also in the inbox, so a stop
loses nothing: the next start replays it.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.app.services import Services
from bot.channels.send_budget import rank_answers
from bot.core.chat import ChannelPort, Incoming, incoming_from_payload, incoming_to_payload
from handlers.kit.dispatch import Dispatcher
from storage.repos.inbox import Arrival, store_arrivals

log = logging.getLogger(__name__)

#: How long a shutdown waits for updates in hand before cutting them short (they replay).
CLOSE_GRACE_S = 10.0
#: Chats handled at once. An update is in hand for its round trips to the platform (50–150 ms
#: each from Vietnam, one or two per update) far longer than for its database work, so the
#: slots must cover the round trips: 32 capped the bot near 32 / 0.1 s = 320 updates/s at a
#: 50 ms round trip whatever the CPU. Still a bound: a backlog does not become tens of
#: thousands of tasks, and a newcomer gets the next free slot.
IN_FLIGHT = 128
#: Chats handled at once while the poller is catching up with a backlog at the platform (it
#: got a full batch: more are waiting there): none. The platform hands out the oldest updates
#: first, so a person writing now is seen only once the whole backlog is fetched, and each batch
#: is stored before the next call acknowledges it — a chain of hundreds of calls in a row.
#: Handling beside it took the processor and the writer from that chain (an outage's 50,000
#: updates fetched in 3.3 s with 4 chats in hand, 2.1 s with none, on two shared cores).
CATCH_UP_IN_FLIGHT = 0
#: A catch-up longer than this (a platform delivering more than the poller fetches, for good)
#: handles a few chats after all, so that nobody in the backlog waits for ever. At Telegram's
#: round trip from Vietnam an outage's 50,000 updates are 500 calls, 25–75 s, the first 30 s of
#: which handle nothing — and the answers of a backlog that size take half an hour at Telegram's
#: 30 messages a second anyway.
CATCH_UP_HOLD = timedelta(seconds=30)
#: Chats handled at once in a catch-up longer than :data:`CATCH_UP_HOLD`.
LONG_CATCH_UP_IN_FLIGHT = 4
#: Stored updates read at a time when replaying.
REPLAY_PAGE = 1000


class _Chat:
    """One chat's waiting updates, and how many it was served since it was last idle."""

    __slots__ = ("queue", "served")

    def __init__(self) -> None:
        self.queue: deque[Incoming] = deque()
        self.served = 0


class Intake:
    """One channel's updates into the inbox, and from there through its own dispatcher (made
    with the services: the update is all it is handed)."""

    def __init__(self, services: Services, port: ChannelPort, *,
                 in_flight: int = IN_FLIGHT) -> None:
        self.services = services
        self.dispatcher = Dispatcher(services, services.routes)
        self.port = port
        self.channel = port.name
        self.in_flight = in_flight
        self._chats: dict[str, _Chat] = {}
        # Chats with an update waiting and none in hand: (served, -arrival, chat id).
        self._ready: list[tuple[int, int, str]] = []
        self._arrivals = itertools.count()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._behind = False
        self._behind_since: datetime | None = None
        self._catch_up_limit = CATCH_UP_IN_FLIGHT
        # When a catch-up ends: the arrival numbers above this one are the chats that became
        # ready in the batch that ended it (people who wrote during it, not in its backlog);
        # they are handled first, and the backlog's chats start once they are done (None: no
        # such front). Started all together, the backlog's would share the loop and the writer
        # with them and take the whole send budget for the next second.
        self._front_from: int | None = None
        self._front: set[asyncio.Task[None]] = set()
        # The writer leaves the WAL unfolded while the poller catches up (see _note_behind).
        self._checkpoints_deferred = False
        self._undeferring: asyncio.Task[None] | None = None
        self._settled = asyncio.Event()
        self._settled.set()
        self.accepted = 0

    @property
    def waiting(self) -> int:
        """Updates queued and not yet in hand (all of them stored in the inbox)."""
        return sum(len(chat.queue) for chat in self._chats.values()) - len(self._tasks)

    async def accept(self, batch: Sequence[Incoming], *,
                     more_waiting: bool | None = None) -> int:
        """Store a batch (one transaction) and queue what is new; how many were.

        ``more_waiting``: a poller's word on whether more updates wait at the platform (it got
        a full batch), as :meth:`catching_up` — but the chats a catch-up's end frees slots for
        start only once this batch is queued, so that the people who wrote during the outage,
        whose updates come in this last batch, are the first of them.
        """
        ends_catch_up = more_waiting is False and self._behind
        if more_waiting is not None:
            await self._note_behind(more_waiting)
        if not batch:
            self._pump()
            return 0
        arrivals = [Arrival(inc.update_key, inc.chat_id, incoming_to_payload(inc))
                    for inc in batch]
        # Behind the platform, the next poll (and with it everyone's newer messages) waits for
        # this store: it goes before the handlers' writes. Otherwise it takes its turn, and
        # updates arriving meanwhile come in the next batch rather than a poll each.
        fresh = await store_arrivals(self.services.db, self.channel, arrivals,
                                     self.services.clock(), urgent=self._behind)
        fresh_keys = {a.update_key for a in fresh}
        skipped = len(batch) - len(fresh)
        if skipped:
            log.info("%d re-delivered %s update(s) skipped", skipped, self.channel)
            self.services.metrics.duplicates.labels(self.channel).inc(skipped)
        first = next(self._arrivals)  # the chats this batch makes ready come after it
        for inc in batch:
            if inc.update_key in fresh_keys:
                fresh_keys.discard(inc.update_key)
                self._queue(inc)
        if ends_catch_up:
            self._front_from = first
        self._pump()
        self.accepted += len(fresh)
        return len(fresh)

    async def replay(self) -> int:
        """Queue what was received but not handled before the last stop (a crash)."""
        inbox = self.services.read.inbox
        count = last = 0
        while True:  # in pages: tens of thousands of stored payloads are not read at once
            page = await inbox.pending(self.channel, after=last, limit=REPLAY_PAGE)
            for arrival in page:
                self._queue(incoming_from_payload(arrival.payload))
            count += len(page)
            self._pump()
            if len(page) < REPLAY_PAGE:
                break
            last = page[-1].row
        if count:
            log.info("handling %d %s update(s) received before a restart", count, self.channel)
        return count

    async def catching_up(self, behind: bool) -> None:
        """The poller is (or is no longer) behind the platform: while it is, newer updates are
        still waiting there, unseen, so nothing new is handled (a few chats once the catch-up
        has lasted :data:`CATCH_UP_HOLD`) and the poller's stores go first, to fetch them
        sooner — only once they are seen can a newcomer be answered next. A poller says so
        with each batch (``accept(more_waiting=)``), and here when a poll brought nothing."""
        await self._note_behind(behind)
        self._pump()

    async def _note_behind(self, behind: bool) -> None:
        if behind and not self._checkpoints_deferred:
            # The poller's stores are links in its chain of calls to the platform: no
            # checkpoint in them. Folding the WAL in again waits until the front is answered
            # (_pump): the first commit after it folds in the whole backlog at once.
            await self.services.db.defer_checkpoints(True)
            self._checkpoints_deferred = True
        if not behind:
            self._behind_since = None
        else:
            now = self.services.clock()
            if self._behind_since is None:
                self._behind_since = now
            long = now - self._behind_since >= CATCH_UP_HOLD
            self._catch_up_limit = LONG_CATCH_UP_IN_FLIGHT if long else CATCH_UP_IN_FLIGHT
        self._behind = behind

    def _queue(self, inc: Incoming) -> None:
        chat = self._chats.get(inc.chat_id)
        if chat is None:
            chat = self._chats[inc.chat_id] = _Chat()
        chat.queue.append(inc)
        if len(chat.queue) == 1:  # it was idle: nothing in hand, not in the ready heap
            heapq.heappush(self._ready, (chat.served, -next(self._arrivals), inc.chat_id))
        self._settled.clear()

    def _pump(self) -> None:
        """Start the next chats' updates while slots are free."""
        limit = self._catch_up_limit if self._behind else self.in_flight
        while self._ready and len(self._tasks) < limit and not self._closing:
            served, newer, chat_id = self._ready[0]
            # A front's chats are the newest of the least served: the heap's top until done.
            front = self._front_from is not None and -newer > self._front_from
            if self._front_from is not None and not front:
                if self._front:
                    break  # the backlog waits until the front is handled
                self._front_from = None
            heapq.heappop(self._ready)
            inc = self._chats[chat_id].queue[0]
            task = asyncio.create_task(self._handle(inc, served, -newer),
                                       name=f"update:{self.channel}")
            self._tasks.add(task)
            task.add_done_callback(functools.partial(self._done, chat_id=chat_id))
            if front:
                self._front.add(task)
        if self._checkpoints_deferred and not self._behind and not self._front:
            self._checkpoints_deferred = False
            self._undeferring = asyncio.create_task(self._fold_wal_again(), name="checkpoints")

    async def _fold_wal_again(self) -> None:
        try:
            await self.services.db.defer_checkpoints(False)
        except Exception:  # the database closed meanwhile: its next start folds it in
            log.warning("the WAL could not be set to fold in again", exc_info=True)

    async def _handle(self, inc: Incoming, served: int, arrival: int) -> None:
        # Its answers wait for the platform's send budget in the same order (fewest served,
        # newest), so a newcomer is not answered after everyone already in hand.
        rank_answers(served, arrival)
        await self.dispatcher.dispatch(self.port, inc)

    def _done(self, task: asyncio.Task[None], *, chat_id: str) -> None:
        self._tasks.discard(task)
        self._front.discard(task)
        chat = self._chats[chat_id]
        chat.queue.popleft()
        chat.served += 1
        # Cancelled (a shutdown) or failed: it stays pending in the inbox, replayed at start.
        if not task.cancelled() and task.exception() is not None:
            log.error("handling a %s update failed", self.channel, exc_info=task.exception())
        if chat.queue and not self._closing:
            heapq.heappush(self._ready, (chat.served, -next(self._arrivals), chat_id))
        if not chat.queue or self._closing:
            del self._chats[chat_id]
        self._pump()
        if not self._tasks and (not self._ready or self._closing):
            self._settled.set()

    async def idle(self) -> None:
        """Wait until every update queued is handled (tests, shutdown)."""
        await self._settled.wait()

    async def close(self, grace: float = CLOSE_GRACE_S) -> None:
        """Start nothing more; let updates in hand finish for a while. What is cut short or
        still queued stays pending in the inbox and is handled at the next start."""
        self._closing = True
        queued = self.waiting
        self._ready.clear()
        if queued:
            log.info("%d %s update(s) left queued; they are handled at the next start",
                     queued, self.channel)
        if not self._tasks:
            self._chats.clear()
            return
        _, late = await asyncio.wait(list(self._tasks), timeout=grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.gather(*late, return_exceptions=True)
            log.info("%d %s update(s) cut short; they are handled at the next start",
                     len(late), self.channel)
        self._chats.clear()
