"""Wiring: the python-telegram-bot Application that feeds the shared dispatcher."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from telegram import Bot, BotCommand
from telegram.ext import Application

from bot.app.intake import Intake
from bot.app.long_poll import LongPoll, stop_receiving
from bot.app.services import Services
from bot.channels.aiohttp_request import AiohttpRequest
from bot.channels.send_budget import SendBudget
from bot.channels.telegram import (
    ALLOWED_UPDATES,
    TelegramPort,
    fetch_updates,
    telegram_errors,
)
from bot.channels.telegram_budget import BudgetRateLimiter
from bot.config import Settings
from bot.core.chat import ChannelError, Incoming, TokenRefused
from bot.core.i18n import LANGUAGES
from handlers.kit.context import Caller
from handlers.kit.menus import visible_commands

log = logging.getLogger(__name__)

#: How often a send is retried after Telegram's 429 "retry after N" before giving up.
RATE_LIMIT_RETRIES = 5
#: The most updates one getUpdates returns (Telegram's default and maximum).
GET_UPDATES_LIMIT = 100
#: Connections Telegram may open at once to deliver by webhook (different chats).
WEBHOOK_CONNECTIONS = 32


@dataclass(frozen=True)
class TelegramChannel:
    """One bot on Telegram: python-telegram-bot's Application (its Bot, requests, rate limiter
    and lifecycle) and the one port every message to Telegram goes through."""

    app: Application  # type: ignore[type-arg]
    port: TelegramPort


def build_telegram(settings: Settings, *, token: str, base_url: str,
                   base_file_url: str) -> TelegramChannel:
    """The Application and its port, before the services; nothing is asked of Telegram yet.

    Updates do not go through PTB's Updater: it acknowledges a batch (the next getUpdates
    offset) as soon as it is fetched, before the handlers ran, so a crash lost what was in
    hand. :class:`TelegramPoller` stores each batch in the inbox first.
    """
    app = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        # Telegram allows ~30 messages/s in all (more only with paid broadcasts): answers and
        # the outbox share TELEGRAM_SENDS_PER_SECOND, answers first (bot.channels.send_budget).
        # aiohttp rather than httpx under python-telegram-bot: far less CPU per call.
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(pool_size=1))
        .rate_limiter(BudgetRateLimiter(
            SendBudget(settings.telegram_sends_per_second),
            max_retries=RATE_LIMIT_RETRIES))
        .updater(None)
        .build()
    )
    return TelegramChannel(app, TelegramPort(app.bot))


@asynccontextmanager
async def started(channel: TelegramChannel) -> AsyncIterator[str]:
    """The Application initialised for the block (getMe): the bot's username, which the
    services are then built with (deep links). A refused token or no answer ends the start
    here, as a :class:`ChannelError`."""
    app = channel.app
    try:
        with telegram_errors():
            await app.initialize()
    except BaseException:
        await app.shutdown()
        raise
    try:
        yield app.bot.username
    finally:
        await app.shutdown()


class TelegramPoller(LongPoll[list[Incoming]]):
    """getUpdates in a loop; each batch is in the inbox before the next call acknowledges it."""

    def __init__(self, bot: Bot, intake: Intake, *, timeout: int = 25,
                 backoff: float = 1.0) -> None:
        super().__init__("telegram-poller", backoff)
        self.bot = bot
        self.intake = intake
        self.timeout = timeout
        self.offset: int | None = None
        self._next_offset: int | None = None
        self._full = False

    async def _fetch(self) -> list[Incoming] | None:
        # After a full batch the intake holds its handling until it hears that Telegram has
        # no more: ask without waiting, or a burst of exactly that many (a hundred members
        # writing at once) would hold every answer for a whole long poll.
        timeout = 0 if self._full else self.timeout
        batch, self._next_offset = await fetch_updates(self.bot, self.offset, timeout)
        self._full = False
        if self._next_offset is None:
            await self.intake.catching_up(False)  # nothing is waiting at Telegram
            return None
        return batch

    async def _store(self, batch: list[Incoming]) -> None:
        # A full batch: more may be waiting at Telegram (an outage's backlog).
        self._full = len(batch) >= GET_UPDATES_LIMIT
        await self.intake.accept(batch, more_waiting=self._full)
        self.offset = self._next_offset

    def _fatal(self, error: Exception) -> bool:
        # A refused token does not come right by waiting; anything unforeseen is a bug.
        return isinstance(error, TokenRefused) or not isinstance(error, ChannelError | OSError)


async def _introduce(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Set the visitors' command menu, in each language."""
    for lang in LANGUAGES:
        visitor = Caller(lang=lang)
        commands = [BotCommand(c.name, services.t(lang, f"cmd.{c.name}"))
                    for c in visible_commands(services.routes.commands, visitor)]
        code = None if lang == services.settings.default_language else lang
        await app.bot.set_my_commands(commands, language_code=code)
    log.info("bot @%s is ready", app.bot.username)


@dataclass(frozen=True)
class Webhook:
    """Where Telegram delivers updates instead of being polled, and the secret it sends back
    in ``X-Telegram-Bot-Api-Secret-Token`` (see ``bot.app.web.webhooks``)."""

    url: str
    secret: str
    #: Routes the web server's deliveries into the channel's intake, before setWebhook.
    attach: Callable[[Intake], None]
    #: Stops routing them (later deliveries are refused; Telegram keeps them for the next start).
    detach: Callable[[], Awaitable[None]]


@asynccontextmanager
async def running(channel: TelegramChannel, services: Services, *, poll_timeout: int = 25,
                  webhook: Webhook | None = None) -> AsyncIterator[Intake]:
    """The bot receiving updates for the duration of the block (the product and its tests):
    polling, or by ``webhook`` when one is given.

    The channel is :func:`started`; its port is the one in ``services.channels``. At start,
    what a crash left received but not handled is handled first (in order); at stop, updates
    in hand get a grace period, and what is cut short stays in the inbox. Telegram's errors
    here leave as :class:`ChannelError`: ``python -m bot`` names them.
    """
    app = channel.app
    intake = Intake(services, channel.port)
    poller: TelegramPoller | None = None
    with telegram_errors():
        await _introduce(app, services)
        await intake.replay()
        if webhook is not None:
            webhook.attach(intake)
            await app.bot.set_webhook(webhook.url, secret_token=webhook.secret,
                                      max_connections=WEBHOOK_CONNECTIONS,
                                      allowed_updates=ALLOWED_UPDATES)
            log.info("Telegram delivers updates by webhook")
        else:
            # Polling and a webhook exclude each other.
            await app.bot.delete_webhook(drop_pending_updates=False)
            poller = TelegramPoller(app.bot, intake, timeout=poll_timeout)
            poller.start()
    try:
        yield intake
    finally:
        await stop_receiving(intake, poller, webhook.detach if webhook is not None else None)
