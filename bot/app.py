"""Wiring: the python-telegram-bot Application that feeds the shared dispatcher."""

from __future__ import annotations

import logging
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

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        me = await app.bot.get_me()
        services.bot_username = me.username
        for lang in LANGUAGES:
            visitor = Caller(lang=lang)
            commands = [BotCommand(c.name, services.t(lang, f"cmd.{c.name}"))
                        for c in visible_commands(routes.commands, visitor)]
            code = None if lang == services.settings.default_language else lang
            await app.bot.set_my_commands(commands, language_code=code)
        log.info("bot @%s is ready", me.username)

    app = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .post_init(post_init)
        .build()
    )
    app.add_handler(TypeHandler(Update, on_update))
    app.add_error_handler(on_error)
    return app
