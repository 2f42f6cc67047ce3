"""Wiring: the python-telegram-bot Application that feeds the shared dispatcher."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from telegram import Bot, BotCommand
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application

from bot.app.intake import Intake
from bot.app.long_poll import LongPoll
from bot.app.services import Services
from bot.channels.aiohttp_request import AiohttpRequest
from bot.channels.telegram import TelegramPort, to_incoming
from bot.core.i18n import LANGUAGES
from handlers.kit.context import Caller
from handlers.kit.menus import visible_commands

log = logging.getLogger(__name__)

#: How often a send is retried after Telegram's 429 "retry after N" before giving up.
RATE_LIMIT_RETRIES = 5
#: The updates the flows use (others are not even fetched).
ALLOWED_UPDATES = ["message", "callback_query"]
#: Connections Telegram may open at once to deliver by webhook (different chats).
WEBHOOK_CONNECTIONS = 32


def build_telegram_app(services: Services, *, token: str, base_url: str,
                       base_file_url: str) -> Application:  # type: ignore[type-arg]
    """The python-telegram-bot Application: its Bot (requests, rate limiter) and lifecycle.

    Updates do not go through PTB's Updater: it acknowledges a batch (the next getUpdates
    offset) as soon as it is fetched, before the handlers ran, so a crash lost what was in
    hand. :class:`TelegramPoller` stores each batch in the inbox first.
    """
    app = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        # Telegram allows ~30 messages/s in all (more only with paid broadcasts); the outbox
        # sender keeps below SEND_RATE_PER_SECOND, leaving room for answers to people.
        # aiohttp rather than httpx under python-telegram-bot: far less CPU per call.
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(pool_size=1))
        .rate_limiter(AIORateLimiter(
            overall_max_rate=max(30.0, services.settings.send_rate_per_second),
            max_retries=RATE_LIMIT_RETRIES))
        .updater(None)
        .build()
    )
    services.channels["telegram"] = TelegramPort(app.bot)
    return app


class TelegramPoller(LongPoll):
    """getUpdates in a loop; each batch is in the inbox before the next call acknowledges it."""

    def __init__(self, bot: Bot, intake: Intake, *, timeout: int = 25,
                 backoff: float = 1.0) -> None:
        super().__init__("telegram-poller", backoff)
        self.bot = bot
        self.intake = intake
        self.timeout = timeout
        self.offset: int | None = None

    async def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._waiting = True
                try:
                    updates = await self.bot.get_updates(offset=self.offset,
                                                         timeout=self.timeout,
                                                         allowed_updates=ALLOWED_UPDATES)
                finally:
                    self._waiting = False
            except InvalidToken:
                raise
            except (TelegramError, OSError) as exc:
                failures += 1
                delay = self._delay(failures)
                log.warning("Telegram getUpdates failed (%s); next try in %.1fs",
                            type(exc).__name__, delay)
                await self._pause(delay)
                continue
            failures = 0
            if not updates:
                continue
            batch = [inc for update in updates if (inc := to_incoming(update)) is not None]
            await self.intake.accept(batch)
            self.offset = updates[-1].update_id + 1


async def _introduce(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Learn the bot's username (for deep links) and set the visitors' command menu."""
    me = await app.bot.get_me()
    services.bot_username = me.username
    for lang in LANGUAGES:
        visitor = Caller(lang=lang)
        commands = [BotCommand(c.name, services.t(lang, f"cmd.{c.name}"))
                    for c in visible_commands(services.routes.commands, visitor)]
        code = None if lang == services.settings.default_language else lang
        await app.bot.set_my_commands(commands, language_code=code)
    log.info("bot @%s is ready", me.username)


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
async def running(app: Application,  # type: ignore[type-arg]
                  services: Services, *, poll_timeout: int = 25,
                  webhook: Webhook | None = None) -> AsyncIterator[Intake]:
    """The bot receiving updates for the duration of the block (the product and its tests):
    polling, or by ``webhook`` when one is given.

    At start, what a crash left received but not handled is handled first (in order); at
    stop, updates in hand get a grace period, and what is cut short stays in the inbox.
    """
    async with app:
        await _introduce(app, services)
        intake = Intake(services, TelegramPort(app.bot))
        await intake.replay()
        poller: TelegramPoller | None = None
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
            if poller is not None:
                await poller.stop()
            if webhook is not None:
                await webhook.detach()
            await intake.close()
