"""The bot's own web server for tests: listening on a free loopback port, with file links."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from bot.app.web.server import WebRoutes, WebServer
from handlers.kit.context import Services
from storage.file_links import FileLinks


@asynccontextmanager
async def serving(services: Services) -> AsyncIterator[WebServer]:
    """The web server of ``services`` (routes in ``server.web``), file links at its address."""
    server = WebServer(WebRoutes(services))
    await server.start("127.0.0.1", 0)
    settings = services.settings
    services.links = FileLinks(services.db, settings.files_dir,
                               ttl=timedelta(hours=settings.file_link_ttl_hours),
                               clock=services.clock, base_url=server.url)
    try:
        yield server
    finally:
        services.links = None
        await server.stop()
