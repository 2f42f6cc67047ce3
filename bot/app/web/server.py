"""The bot's web server: routes, and listening on ``WEB_HOST``:``WEB_PORT``.

    web = WebRoutes(services)
    server = WebServer(web)
    await server.start("127.0.0.1", 8443)
    web.telegram = TelegramReceiver(intake, secret, services.metrics)   # once the bot can handle

Routes:

- ``POST /webhook/telegram``, ``POST /webhook/zalo``: the channels' webhooks (404 while the
  channel does not receive by webhook);
- ``GET /f/<token>``: a file link (404, with no hint, for an unknown, forged or expired token);
- ``GET /healthz``: a small JSON, 200 when all is well, 503 when something is wrong;
- ``GET /metrics``: Prometheus text format;
- ``/web/...``: the coordinators' dashboard, and ``GET /api/v1/feed.{json,csv}``: the feed
  (``bot.app.web.dashboard``).

The sandbox demo serves :meth:`WebRoutes.routes` on its own address instead of a second port.

Limits (:class:`WebLimits`), so that nobody on the internet can wear the bot out: a body over
``max_body`` gets 413 unread; a connection that sends no complete request within
``idle_timeout`` (slow headers) or stays idle that long between requests is closed; beyond
``max_connections`` open connections a new one gets a bare 503 and is closed at once — the
cap stays well below the unit's ``LimitNOFILE``, so the bot never runs out of file descriptors
(the database, the Bot API clients and the backups need theirs too).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.app.web.dashboard.api import FeedApi
from bot.app.web.dashboard.site import Dashboard
from bot.app.web.responses import content_disposition, starting
from bot.app.web.webhooks import (
    TELEGRAM_PATH,
    ZALO_PATH,
    TelegramReceiver,
    Throttle,
    ZaloReceiver,
)
from handlers.admin.health import refresh_gauges
from handlers.kit.context import Services
from handlers.kit.metrics import CONTENT_TYPE

log = logging.getLogger(__name__)

Receiver = Callable[[web.Request], Awaitable[web.Response]]
_NOT_FOUND = "Not Found"


class WebRoutes:
    """The routes, and what they serve: the bot's services (files, health, metrics) and each
    channel's webhook receiver, each attached once it exists.

    The sandbox demo listens before the bot exists (the bot talks to it), so its services may
    come after the routes (:meth:`serve`); until then there is nothing to serve.
    """

    def __init__(self, services: Services | None = None) -> None:
        self._services = services
        self.telegram: TelegramReceiver | None = None
        self.zalo: ZaloReceiver | None = None
        # The dashboard and the feed serve the same bot, once it is there.
        self.dashboard = Dashboard(lambda: self._services)
        self.api = FeedApi(lambda: self._services)

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the web routes serve no bot yet")
        return self._services

    def serve(self, services: Services) -> None:
        """The bot is built: serve its files, health and metrics."""
        self._services = services

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post(TELEGRAM_PATH, self._telegram),
            web.post(ZALO_PATH, self._zalo),
            web.get("/f/{token}", self._file),
            web.get("/healthz", self._health),
            web.get("/metrics", self._metrics),
            *self.dashboard.routes(),
            *self.api.routes(),
        ]

    async def _telegram(self, request: web.Request) -> web.Response:
        return await _receive(self.telegram, request)

    async def _zalo(self, request: web.Request) -> web.Response:
        return await _receive(self.zalo, request)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        links = self._services.links if self._services is not None else None
        found = await links.find(request.match_info["token"]) if links else None
        if found is None:
            return web.Response(status=404, text=_NOT_FOUND)
        disposition = "inline" if found.purpose == "photo" else "attachment"
        return web.FileResponse(found.path, headers={
            "Content-Type": found.content_type,
            "Content-Disposition": content_disposition(disposition, found.filename),
            # A link is a bearer token: no shared cache keeps it, no page leaks it onwards.
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        })

    async def _health(self, request: web.Request) -> web.Response:
        if self._services is None:
            return starting()
        report = await refresh_gauges(self.services)
        return web.json_response(report.to_json(), status=200 if report.ok else 503,
                                 headers={"Cache-Control": "no-store"})

    async def _metrics(self, request: web.Request) -> web.Response:
        if self._services is None:
            return starting()
        await refresh_gauges(self.services)
        return web.Response(body=self.services.metrics.render(),
                            headers={"Content-Type": CONTENT_TYPE})


async def _receive(receiver: Receiver | None, request: web.Request) -> web.Response:
    if receiver is None:  # this channel does not receive by webhook here
        return web.Response(status=404, text=_NOT_FOUND)
    return await receiver(request)


@dataclass(frozen=True)
class WebLimits:
    #: Updates are a few kilobytes; nginx's site allows the same (client_max_body_size 1m).
    max_body: int = 1 << 20
    #: Seconds a connection may take to send its request, or stay idle between requests.
    #: Telegram and Zalo send a whole update at once; nginx opens a connection per request.
    idle_timeout: float = 15.0
    #: Open connections at most; deploy/tocns-bot.service has LimitNOFILE=4096.
    max_connections: int = 1000


_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 5\r\n"
         b"Connection: close\r\n\r\n")


class _Busy(asyncio.Protocol):
    """A connection over the cap: told so, and closed before it costs anything more."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.WriteTransport):
            transport.write(_BUSY)
        transport.close()


class _CappedSite(web.TCPSite):
    """aiohttp's TCP site, but each new connection beyond the cap gets :class:`_Busy`."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, cap: int) -> None:
        super().__init__(runner, host, port)
        self.cap = cap
        self.refused = 0
        self._throttle = Throttle()

    def _protocol(self) -> asyncio.BaseProtocol:
        server = self._runner.server
        assert server is not None
        if len(server.connections) < self.cap:
            return server()
        self.refused += 1
        count = self._throttle.due()
        if count:
            log.warning("web server: %d connection(s) refused, %d open already (the cap)",
                        count, self.cap)
        return _Busy()

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        self._server = await asyncio.get_running_loop().create_server(
            self._protocol, self._host, self._port, reuse_address=self._reuse_address,
            backlog=self._backlog)


class WebServer:
    """Listens for :class:`WebRoutes` (one aiohttp application)."""

    def __init__(self, routes: WebRoutes, limits: WebLimits | None = None) -> None:
        self.web = routes
        self.limits = limits or WebLimits()
        self._runner: web.AppRunner | None = None
        self._site: _CappedSite | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Where it listens (http://host:port), not the public address."""
        if self._url is None:
            raise RuntimeError("the web server is not started")
        return self._url

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=self.limits.max_body)
        app.add_routes(self.web.routes())
        return app

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=5.0,
                                     keepalive_timeout=self.limits.idle_timeout)
        await self._runner.setup()
        site = self._site = _CappedSite(self._runner, host, port, self.limits.max_connections)
        try:
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            raise
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname()[1] if sockets else port
        shown = f"[{host}]" if ":" in host else host
        self._url = f"http://{shown}:{bound}"
        log.info("web server listening on %s", self._url)

    @property
    def refused_connections(self) -> int:
        return self._site.refused if self._site is not None else 0

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = self._site = None
