"""Receiving from Zalo: a long-polling loop, and the running channel as an async context manager.

Zalo's getUpdates hands out ONE update per call, has no offset, and answers 408 when the poll
ends empty — that is "nothing new", not a failure. Each update goes into the durable inbox
(:mod:`bot.app.intake`) before the next poll, where re-deliveries (a webhook retry, a restart)
are recognised by their key (``event_name:message_id``). Different chats are handled
concurrently; one chat's messages in order, a typed number read against the choices last shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.app.intake import Intake
from bot.app.services import Services
from bot.channels.zalo import ZaloPort, to_incoming
from bot.channels.zalo_api import ZaloApi
from bot.core.chat import PhotoHost

log = logging.getLogger(__name__)

UpdateHandler = Callable[[dict[str, Any]], Awaitable[None]]
MAX_BACKOFF = 30.0


@dataclass
class PollerStats:
    updates: int = 0
    empty_polls: int = 0  # 408: the long poll ended with nothing new
    errors: int = 0  # failed polls (network, 5xx...), each followed by a back-off


class ZaloPoller:
    def __init__(self, api: ZaloApi, handle: UpdateHandler, *, poll_timeout: int = 30,
                 backoff: float = 1.0) -> None:
        self.api = api
        self.handle = handle
        self.poll_timeout = poll_timeout
        self.backoff = backoff
        self.stats = PollerStats()
        self._stop = asyncio.Event()
        self._waiting = False  # inside a long poll or a back-off: safe to cancel
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="zalo-poller")

    async def stop(self) -> None:
        """Stop after the update in hand (if any) is handled; an idle poll is cut short."""
        self._stop.set()
        task = self._task
        if task is None:
            return
        if self._waiting:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._waiting = True
                try:
                    update = await self.api.get_update(self.poll_timeout)
                finally:
                    self._waiting = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.stats.errors += 1
                failures += 1
                delay = min(MAX_BACKOFF, self.backoff * 2 ** (failures - 1))
                log.warning("Zalo getUpdates failed (%s); next try in %.1fs", exc, delay)
                await self._pause(delay)
                continue
            failures = 0
            if update is None:
                self.stats.empty_polls += 1
                continue
            self.stats.updates += 1
            try:
                await self.handle(update)
            except Exception:
                # The dispatcher answers people itself; this is what failed around it.
                log.exception("Zalo update could not be handled: %r", update.get("event_name"))

    async def _pause(self, seconds: float) -> None:
        self._waiting = True
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)
        finally:
            self._waiting = False


@dataclass
class ZaloChannel:
    port: ZaloPort
    poller: ZaloPoller
    bot: dict[str, Any]  # getMe
    intake: Intake


@asynccontextmanager
async def running_zalo(services: Services, *, token: str, base_url: str,
                       poll_timeout: int = 30, backoff: float = 1.0,
                       photo_host: PhotoHost | None = None) -> AsyncIterator[ZaloChannel]:
    """The Zalo channel receiving and answering for the duration of the block."""
    api = ZaloApi(token, base_url, backoff=backoff)
    port = ZaloPort(api, db=services.db, t=services.t,
                    default_language=services.settings.default_language,
                    clock=services.clock, photo_host=photo_host)

    intake = Intake(services, port)

    async def handle(update: dict[str, Any]) -> None:
        incoming = to_incoming(update)
        if incoming is not None:
            await intake.accept([incoming])

    poller = ZaloPoller(api, handle, poll_timeout=poll_timeout, backoff=backoff)
    try:
        me = await api.get_me()
        # Polling and a webhook exclude each other on Zalo.
        await api.delete_webhook()
        services.channels["zalo"] = port
        await intake.replay()
        poller.start()
        log.info("Zalo bot %s is ready", me.get("account_name") or me.get("id"))
        yield ZaloChannel(port, poller, me, intake)
    finally:
        await poller.stop()
        await intake.close()
        if services.channels.get("zalo") is port:
            del services.channels["zalo"]
        await api.close()
