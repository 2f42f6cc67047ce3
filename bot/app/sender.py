"""The outbox sender: drains due items through ``services.channels[item.channel]``.

Limits are kept here, not left to the channel library: at most ``global_rate`` sends a second
overall (Telegram allows about 30) and at least ``per_chat_interval`` seconds between two sends
to one chat (Telegram allows about 1/s; PTB's AIORateLimiter has no per-private-chat limit).
Each channel port reports a failure as a :class:`~bot.core.chat.ChannelError` saying what it
means: rate limited (a 429) pauses every send for its ``wait``; transient (5xx, network)
backs off exponentially; final (403 "bot was blocked", 400) fails the item for good, as does
the ``max_attempts``-th try — never a retry loop without end.

Exactly once:
- an item is claimed (``pending`` → ``sending``) in its own transaction, then sent, then marked
  ``sent`` in another; the send + mark pair runs under :func:`asyncio.shield`, so cancelling
  the sender (a stop, a deploy, a test killing it) lets the in-flight sends finish and be
  recorded before the cancellation completes — nothing is left ``sending``, nothing resent;
- a *hard* crash (kill -9, power loss) between the send and the mark can leave an item in
  ``sending``. :meth:`Sender.recover`, run once at process start, puts those back to
  ``pending``: they are sent again. We chose at-least-once for that window of one HTTP
  request: a weekly digest or a reminder arriving twice is a small annoyance, one silently
  lost is worse, and the row keeps ``last_error`` saying it was resent.

Every channel's sends also take a slot of its platform's send budget
(``bot.channels.send_budget``), shared with the answers to people, which go first; with
Telegram, PTB's AIORateLimiter underneath retries a 429 after ``retry_after``: a 429 reaching
us means Telegram kept refusing, and we then wait
``retry_after`` again before the next try, pausing all our sends — no retry storm.

Due-ness (``not_before``, quiet hours, expiry) follows ``services.clock``; pacing and backoff
wait in real time (``monotonic`` / ``sleep`` are injectable to keep tests short).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.app.services import Services
from bot.channels.send_budget import bulk_sends
from bot.core.chat import ChannelError, Failure
from handlers.kit.outbox import decode, quiet_hours
from handlers.steering.weekly import still_wanted
from storage.repos import Repos

log = logging.getLogger(__name__)


def classify(exc: BaseException) -> ChannelError:
    """What a failed send means: wait and retry, back off and retry, or give up.

    A channel's own failures come sorted by its port; anything else is a fault on our side of
    the wire (a connection error below the port: retry) or a bug (final: retrying repeats it).
    """
    if isinstance(exc, ChannelError):
        return exc
    reason = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, TimeoutError | ConnectionError | OSError):
        return ChannelError(Failure.TRANSIENT, reason)
    return ChannelError(Failure.FINAL, reason)


@dataclass
class SenderStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0
    dropped: int = 0  # no longer wanted when their turn came (a nudge after logging)
    failures: list[str] = field(default_factory=list)  # dedup keys that failed for good


def _release_chat(busy: set[tuple[str, str]], key: tuple[str, str]
                  ) -> Callable[[asyncio.Task[None]], None]:
    return lambda _task: busy.discard(key)


class Sender:
    def __init__(
        self,
        services: Services,
        *,
        global_rate: float = 25.0,
        per_chat_interval: float = 1.05,
        concurrency: int = 8,
        max_attempts: int = 8,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        poll_interval: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.services = services
        self.global_interval = 1.0 / global_rate
        self.per_chat_interval = per_chat_interval
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.poll_interval = poll_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._global_next = 0.0
        self._chat_next: dict[tuple[str, str], float] = {}
        self._paused_until = 0.0
        self._wake = asyncio.Event()
        self.stats = SenderStats()

    # --- running ----------------------------------------------------------------------------

    async def recover(self) -> int:
        """At process start only: items a hard crash left ``sending`` go out again."""
        async with self.services.db.write() as conn:
            count = await Repos(conn).outbox.recover_sending(self.services.clock())
        if count:
            log.warning("%d outbox item(s) were interrupted by a crash; sending them again",
                        count)
        return count

    def wake(self) -> None:
        """Something was enqueued: drain now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Drain, then wait for a wake-up or the poll interval; forever (cancel to stop)."""
        while True:
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                # A database hiccup must not end the sender; the next round tries again.
                log.exception("outbox drain failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            self._wake.clear()

    async def drain(self) -> int:
        """Send every item due now (outside quiet hours); how many were settled.

        Chats are served concurrently (up to ``concurrency`` sends in flight), each chat's
        items in order, one at a time.
        """
        in_flight: dict[int, asyncio.Task[None]] = {}
        busy: set[tuple[str, str]] = set()
        settled = 0
        async with self.services.db.write() as conn:
            await Repos(conn).outbox.expire(self.services.clock())
        try:
            while True:
                now = self.services.clock()
                quiet = await quiet_hours(self.services)
                if quiet.contains(now.astimezone(self.services.settings.tz).time()):
                    if not in_flight:
                        return settled
                    due = []
                else:
                    due = await self.services.read.outbox.due(
                        now, limit=self.concurrency * 4, channels=list(self.services.channels))
                for item_id, channel, chat_id in due:
                    key = (channel, chat_id)
                    if len(in_flight) >= self.concurrency:
                        break
                    if item_id in in_flight or key in busy:
                        continue
                    busy.add(key)
                    task = asyncio.create_task(self._deliver(item_id, key))
                    task.add_done_callback(_release_chat(busy, key))
                    in_flight[item_id] = task
                if not in_flight:
                    return settled
                done, _ = await asyncio.wait(in_flight.values(),
                                             return_when=asyncio.FIRST_COMPLETED)
                for item_id, task in list(in_flight.items()):
                    if task in done:
                        del in_flight[item_id]
                        settled += 1
                        if task.exception() is not None:
                            log.error("delivering outbox item %d failed", item_id,
                                      exc_info=task.exception())
        finally:
            # Cancelled (or failing): let every in-flight send finish and be recorded.
            for task in in_flight.values():
                task.cancel()
            await asyncio.gather(*in_flight.values(), return_exceptions=True)

    # --- one item ---------------------------------------------------------------------------

    async def _deliver(self, item_id: int, key: tuple[str, str]) -> None:
        with bulk_sends():  # the platform's send budget serves answers to people first
            await self._deliver_in_turn(item_id, key)

    async def _deliver_in_turn(self, item_id: int, key: tuple[str, str]) -> None:
        while True:
            await self._pace(key)
            attempt = asyncio.ensure_future(self._attempt(item_id))
            try:
                retry = await asyncio.shield(attempt)
            except asyncio.CancelledError:
                # The send may be on the wire: wait for it to be recorded, then stop.
                with contextlib.suppress(Exception):
                    await attempt
                raise
            if retry is None:
                return
            await self._sleep(retry)  # the item is pending again: safe to cancel here

    async def _attempt(self, item_id: int) -> float | None:
        """Claim, send, record. None when settled; else seconds to wait before a retry."""
        services = self.services
        async with services.db.write() as conn:
            item = await Repos(conn).outbox.claim(item_id, services.clock())
        if item is None:
            return None  # cancelled or expired meanwhile
        if not await still_wanted(services, item):
            async with services.db.write() as conn:
                await Repos(conn).outbox.drop(item.id, "no longer needed", services.clock())
            self.stats.dropped += 1
            services.metrics.sent(item.channel, "outbox", "dropped")
            return None
        channel = services.channels[item.channel]
        try:
            ref = await channel.send(item.chat_id, decode(item.payload, item.attachment))
        except Exception as exc:
            error = classify(exc)
            services.metrics.error("send")
            async with services.db.write() as conn:
                outbox = Repos(conn).outbox
                if error.failure is Failure.FINAL or item.attempts >= self.max_attempts:
                    await outbox.mark_failed(item.id, error.reason, services.clock())
                    self.stats.failed += 1
                    self.stats.failures.append(item.dedup_key)
                    services.metrics.sent(item.channel, "outbox", "failed")
                    log.warning("outbox %s failed for good after %d attempt(s): %s",
                                item.dedup_key, item.attempts, error.reason)
                    return None
                await outbox.release(item.id, error.reason, services.clock())
            self.stats.retried += 1
            services.metrics.sent(item.channel, "outbox", "retry")
            if error.failure is Failure.RATE_LIMITED:
                self.stats.rate_limited += 1
                self._paused_until = max(self._paused_until, self._monotonic() + error.wait)
                return error.wait
            return float(min(self.backoff_cap, self.backoff_base * 2 ** (item.attempts - 1)))
        async with services.db.write() as conn:
            await Repos(conn).outbox.mark_sent(item.id, ref, services.clock())
        self.stats.sent += 1
        services.metrics.sent(item.channel, "outbox", "sent")
        return None

    async def _pace(self, key: tuple[str, str]) -> None:
        """Wait for this chat's spacing, a pause after 429, and a global sending slot."""
        while True:
            now = self._monotonic()
            ready = max(self._chat_next.get(key, 0.0), self._paused_until)
            if ready > now:
                await self._sleep(ready - now)
                continue
            slot = max(self._global_next, now)
            self._global_next = slot + self.global_interval
            self._chat_next[key] = slot + self.per_chat_interval
            if len(self._chat_next) > 10_000:  # forget chats whose spacing has long passed
                self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
            if slot > now:
                await self._sleep(slot - now)
            return
