"""The bot's own web server for tests: listening on a free loopback port, with file links."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app.web.server import WebRoutes, WebServer
from handlers.kit.context import Services


@asynccontextmanager
async def serving(services: Services) -> AsyncIterator[WebServer]:
    """The web server of ``services`` (routes in ``server.web``); their file links, if any,
    published at its address while it listens."""
    server = WebServer(WebRoutes(services))
    await server.start("127.0.0.1", 0)
    links = services.links
    if links is not None:
        links.base_url = server.url
    try:
        yield server
    finally:
        if links is not None:
            links.base_url = None
        await server.stop()
