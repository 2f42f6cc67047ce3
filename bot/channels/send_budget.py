"""One send budget per platform, shared by answers to people and the outbox's bulk sends.

A platform allows so many messages a second in all (Telegram about 30); the answers to members
and a fan-out of thousands of reminders draw on the same allowance. :class:`SendBudget` lets
at most ``per_second`` sends reach the platform in any one-second window, however long each
takes on the way: a send holds its slot from the moment it may go until one second after its
answer came back (a request granted at one moment may arrive a little later, bunched with the
next ones, when the event loop or the network is busy; counting it until its answer plus a
second covers any window it can have arrived in).

When sends queue for a slot, an answer to a person goes before any bulk send, and among
answers, the one for the chat the intake ranked first (least served, newest: see
``bot.app.intake``). A send is bulk when made under :func:`bulk_sends` (the outbox sender's
are); the intake ranks each update's answers with :func:`rank_answers`.

A pause (the platform's 429 "retry after N") holds every send, answers included.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar

ANSWER, BULK = 0, 1
#: (kind, then the intake's rank: served so far, minus the arrival number)
_RANK: ContextVar[tuple[int, int, int]] = ContextVar("send_rank", default=(ANSWER, 0, 0))


@contextmanager
def bulk_sends() -> Iterator[None]:
    """Sends made inside this block (in this task) wait behind every answer."""
    token = _RANK.set((BULK, 0, 0))
    try:
        yield
    finally:
        _RANK.reset(token)


def rank_answers(served: int, arrival: int) -> None:
    """This task's answers queue by this rank: fewer served first, then newer. (Set for the
    rest of the task: each update is handled in a task of its own.)"""
    _RANK.set((ANSWER, served, -arrival))


class SendBudget:
    def __init__(self, per_second: float, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.per_second = max(1, int(per_second))
        self._monotonic = monotonic
        self._sleep = sleep
        self._sending = 0  # slots granted whose answer has not come back
        self._held_until: deque[float] = deque()  # answered: each holds its slot until then
        self._done = asyncio.Event()
        self._waiting: list[tuple[tuple[int, int, int], int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._paused_until = 0.0
        self._granter: asyncio.Task[None] | None = None
        self.granted = {ANSWER: 0, BULK: 0}

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot for one send (the block): answers first, each kind by rank."""
        await self._acquire()
        try:
            yield
        finally:
            self._sending -= 1
            self._held_until.append(self._monotonic() + 1.0)
            self._done.set()

    def pause(self, seconds: float) -> None:
        """The platform said "retry after": nothing is sent before then."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    async def _acquire(self) -> None:
        rank = _RANK.get()
        if not self._waiting and self._free(self._monotonic()):
            self._grant(rank[0])
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (rank, next(self._order), future))
        if self._granter is None or self._granter.done():
            self._granter = asyncio.create_task(self._grant_in_turn(), name="send-budget")
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release_unused()  # granted just as its sender gave up
            raise

    def _free(self, now: float) -> bool:
        if now < self._paused_until:
            return False
        while self._held_until and self._held_until[0] <= now:
            self._held_until.popleft()
        return self._sending + len(self._held_until) < self.per_second

    def _grant(self, kind: int) -> None:
        self._sending += 1
        self.granted[kind] += 1

    def _release_unused(self) -> None:
        self._sending -= 1
        self._done.set()

    async def _grant_in_turn(self) -> None:
        while self._waiting:
            now = self._monotonic()
            if not self._free(now):
                if now < self._paused_until:
                    await self._sleep(self._paused_until - now)
                elif self._held_until:
                    await self._sleep(max(self._held_until[0] - now, 0.001))
                else:  # every slot is on the way: wait for an answer
                    self._done.clear()
                    await self._done.wait()
                continue
            rank, _, future = heapq.heappop(self._waiting)
            if future.done():
                continue  # its sender gave up (cancelled)
            self._grant(rank[0])
            future.set_result(None)
