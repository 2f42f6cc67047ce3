"""python-telegram-bot pointed at the sandbox: test support, kept out of the sandbox product."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.sandbox.server import SandboxServer
from bot.sandbox.testing import DEFAULT_TOKEN


def application_builder(server: SandboxServer, token: str = DEFAULT_TOKEN
                        ) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """A python-telegram-bot ApplicationBuilder already pointed at the sandbox."""
    from telegram.ext import Application

    return (Application.builder().token(token).base_url(server.bot_api_base_url)
            .base_file_url(server.file_base_url))


@asynccontextmanager
async def running_application(app: Application[Any, Any, Any, Any, Any, Any],
                              *, poll_timeout: int = 10
                              ) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run ``app`` with long polling against the sandbox for the duration of the block."""
    async with app:
        await app.start()
        assert app.updater is not None, "build the application with an Updater"
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
