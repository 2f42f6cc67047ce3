"""Receiving from Zalo: a long-polling loop or a webhook, and the running channel as an async
context manager.

Zalo's getUpdates hands out ONE update per call, has no offset, and answers 408 when the poll
ends empty — that is "nothing new", not a failure. Each update goes into the durable inbox
(:mod:`bot.app.intake`) before the next poll, where re-deliveries (a webhook retry, a restart)
are recognised by their key (``event_name:message_id``), and is handled from there.

The poller only stores: the intake handles updates of different chats concurrently, as on
Telegram, so one slow export never holds up everyone else. One chat's updates still run in
order of arrival: the dispatcher's per-chat lock is taken in arrival order, and the typed
number is turned into the button it stands for (``ZaloPort.interpret``) inside that chat's
turn, once the previous update of the chat has left its numbered choices.

With a webhook (``WEB_BASE_URL``), nothing polls: the bot's web server hands Zalo's POSTs to
the same update handler (``bot.app.web.webhooks.ZaloReceiver``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.app.intake import Intake
from bot.app.long_poll import LongPoll, stop_receiving
from bot.app.services import Services
from bot.app.zalo_choices import StoredChoices
from bot.channels.send_budget import SendBudget
from bot.channels.zalo import FileHost, ZaloPort, to_incoming
from bot.channels.zalo_api import ZaloApi
from bot.config import Settings
from handlers.kit.context import Clock
from locales import translator
from storage.db import Database

log = logging.getLogger(__name__)

UpdateHandler = Callable[[dict[str, Any]], Awaitable[None]]


class ZaloPoller(LongPoll[dict[str, Any]]):
    def __init__(self, api: ZaloApi, handle: UpdateHandler, *, poll_timeout: int = 30,
                 backoff: float = 1.0, on_error: Callable[[], None] | None = None) -> None:
        super().__init__("zalo-poller", backoff, on_error)
        self.api = api
        self.handle = handle
        self.poll_timeout = poll_timeout

    async def _fetch(self) -> dict[str, Any] | None:
        return await self.api.get_update(self.poll_timeout)

    async def _store(self, update: dict[str, Any]) -> None:
        # Stored in the inbox (and handled in a task of its own) before the next poll: Zalo
        # has no offset, the next call is what moves past this update.
        await self.handle(update)


@dataclass
class ZaloChannel:
    port: ZaloPort
    poller: ZaloPoller | None  # None when Zalo delivers by webhook
    bot: dict[str, Any]  # getMe
    #: What an update goes through, whether polled or POSTed to the webhook.
    handle: UpdateHandler
    intake: Intake


@dataclass(frozen=True)
class ZaloWebhook:
    """Where Zalo delivers updates instead of being polled (see ``bot.app.web.webhooks``)."""

    url: str
    secret: str
    #: Routes the web server's deliveries to the channel's handler.
    attach: Callable[[UpdateHandler], None]
    #: Stops routing them, once the updates in hand are handled.
    detach: Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class ZaloBot:
    """One bot on Zalo, built before the services: its API client and the one port every
    message to Zalo goes through. Whoever builds it closes it (:meth:`close`)."""

    api: ZaloApi
    port: ZaloPort

    async def close(self) -> None:
        await self.api.close()


def build_zalo(settings: Settings, db: Database, clock: Clock, *, token: str, base_url: str,
               files: FileHost | None = None, backoff: float = 1.0) -> ZaloBot:
    """The client and its port; nothing is asked of Zalo yet."""
    api = ZaloApi(token, base_url, backoff=backoff,
                  budget=SendBudget(settings.zalo_sends_per_second))
    port = ZaloPort(api, choices=StoredChoices(db, clock),
                    t=translator(settings.default_language),
                    default_language=settings.default_language, files=files, tz=settings.tz)
    return ZaloBot(api, port)


@asynccontextmanager
async def running_zalo(zalo: ZaloBot, services: Services, *, poll_timeout: int = 30,
                       webhook: ZaloWebhook | None = None) -> AsyncIterator[ZaloChannel]:
    """The Zalo channel receiving (polling, or by ``webhook``) and answering for the block;
    its port is the one in ``services.channels``."""
    api, port = zalo.api, zalo.port
    intake = Intake(services, port)

    async def handle(update: dict[str, Any]) -> None:
        """Stored in the inbox before it is acknowledged (the next poll, the webhook's 200)."""
        incoming = to_incoming(update)
        if incoming is not None:
            await intake.accept([incoming])

    poller = None if webhook is not None else ZaloPoller(
        api, handle, poll_timeout=poll_timeout, backoff=api.backoff,
        on_error=lambda: services.metrics.error("poll"))
    try:
        me = await api.get_me()
        await intake.replay()
        if webhook is not None:
            webhook.attach(handle)  # routed before Zalo is told where to deliver
            await api.set_webhook(webhook.url, webhook.secret)
            log.info("Zalo delivers updates by webhook")
        else:
            assert poller is not None
            # Polling and a webhook exclude each other on Zalo.
            await api.delete_webhook()
            poller.start()
        log.info("Zalo bot %s is ready", me.get("account_name") or me.get("id"))
        yield ZaloChannel(port, poller, me, handle, intake)
    finally:
        await stop_receiving(intake, poller, webhook.detach if webhook is not None else None)
