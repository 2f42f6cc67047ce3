"""Wiring: the python-telegram-bot Application that feeds the shared dispatcher."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.channels.telegram import TelegramPort, to_incoming
from bot.config import Settings
from bot.i18n import LANGUAGES, translator
from handlers import dispatcher
from handlers.context import Caller, Clock, Services
from handlers.menus import visible_commands
from storage.db import Database

log = logging.getLogger(__name__)

#: How often a send is retried after Telegram's 429 "retry after N" before giving up.
RATE_LIMIT_RETRIES = 5
#: Updates handled at once (of different chats): enough to hide network waits on 2 cores.
CONCURRENT_UPDATES = 32


def utc_now() -> datetime:
    return datetime.now(UTC)


def make_services(settings: Settings, db: Database, clock: Clock = utc_now) -> Services:
    return Services(settings=settings, db=db, t=translator(settings.default_language),
                    clock=clock)


def build_telegram_app(services: Services, *, token: str, base_url: str,
                       base_file_url: str) -> Application:  # type: ignore[type-arg]
    routes = dispatcher()

    async def on_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        incoming = to_incoming(update)
        if incoming is not None:
            await routes.dispatch(services, TelegramPort(context.bot), incoming)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The dispatcher answers the person; this catches what fails outside it (network...).
        log.error("unhandled error for update %r", update, exc_info=context.error)

    app = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        # Telegram allows ~30 messages/s in all (more only with paid broadcasts); the outbox
        # sender keeps below SEND_RATE_PER_SECOND, leaving room for answers to people.
        .rate_limiter(AIORateLimiter(
            overall_max_rate=max(30.0, services.settings.send_rate_per_second),
            max_retries=RATE_LIMIT_RETRIES))
        # Updates of different chats run concurrently; the dispatcher keeps each chat in order.
        .concurrent_updates(CONCURRENT_UPDATES)
        .build()
    )
    services.channels["telegram"] = TelegramPort(app.bot)
    app.add_handler(TypeHandler(Update, on_update))
    app.add_error_handler(on_error)
    return app


async def _introduce(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Learn the bot's username (for deep links) and set the visitors' command menu."""
    me = await app.bot.get_me()
    services.bot_username = me.username
    for lang in LANGUAGES:
        visitor = Caller(lang=lang)
        commands = [BotCommand(c.name, services.t(lang, f"cmd.{c.name}"))
                    for c in visible_commands(dispatcher().commands, visitor)]
        code = None if lang == services.settings.default_language else lang
        await app.bot.set_my_commands(commands, language_code=code)
    log.info("bot @%s is ready", me.username)


@dataclass(frozen=True)
class Webhook:
    """Where Telegram delivers updates instead of being polled: the public URL and the secret
    it sends back in ``X-Telegram-Bot-Api-Secret-Token`` (see ``bot.web.webhooks``)."""

    url: str
    secret: str


@asynccontextmanager
async def running(app: Application,  # type: ignore[type-arg]
                  services: Services, *, poll_timeout: int = 25,
                  webhook: Webhook | None = None) -> AsyncIterator[None]:
    """The bot receiving updates for the duration of the block (the product and its tests):
    polling, or by ``webhook`` when one is given (its receiver must already be routed).

    python-telegram-bot runs ``post_init`` only inside ``run_polling``, which owns the event
    loop; we share the loop with the sandbox, so start-up is spelled out here once.
    """
    async with app:
        await _introduce(app, services)
        await app.start()
        assert app.updater is not None
        if webhook is None:
            # start_polling removes a webhook left from an earlier webhook run first.
            await app.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
        else:
            await app.bot.set_webhook(webhook.url, secret_token=webhook.secret,
                                      max_connections=CONCURRENT_UPDATES,
                                      allowed_updates=Update.ALL_TYPES)
            log.info("Telegram delivers updates by webhook")
        try:
            yield
        finally:
            if app.updater.running:
                await app.updater.stop()
            await app.stop()
