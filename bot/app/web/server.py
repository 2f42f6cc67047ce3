"""The bot's web server: routes, and listening on ``WEB_HOST``:``WEB_PORT``.

    web = WebRoutes(services)
    server = WebServer(web)
    await server.start("127.0.0.1", 8443)
    web.telegram = TelegramReceiver(app, secret, services.metrics)   # once the bot can handle

Routes:

- ``POST /webhook/telegram``, ``POST /webhook/zalo``: the channels' webhooks (404 while the
  channel does not receive by webhook);
- ``GET /f/<token>``: a file link (404, with no hint, for an unknown, forged or expired token);
- ``GET /healthz``: a small JSON, 200 when all is well, 503 when something is wrong;
- ``GET /metrics``: Prometheus text format.

The sandbox demo serves :meth:`WebRoutes.routes` on its own address instead of a second port.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from bot.app.web.webhooks import TELEGRAM_PATH, ZALO_PATH, TelegramReceiver, ZaloReceiver
from handlers.admin.health import refresh_gauges
from handlers.kit.context import Services
from handlers.kit.metrics import CONTENT_TYPE

log = logging.getLogger(__name__)

Receiver = Callable[[web.Request], Awaitable[web.Response]]
_NOT_FOUND = "Not Found"


class WebRoutes:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.telegram: TelegramReceiver | None = None
        self.zalo: ZaloReceiver | None = None

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post(TELEGRAM_PATH, self._telegram),
            web.post(ZALO_PATH, self._zalo),
            web.get("/f/{token}", self._file),
            web.get("/healthz", self._health),
            web.get("/metrics", self._metrics),
        ]

    async def _telegram(self, request: web.Request) -> web.Response:
        return await _receive(self.telegram, request)

    async def _zalo(self, request: web.Request) -> web.Response:
        return await _receive(self.zalo, request)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        links = self.services.links
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
        report = await refresh_gauges(self.services)
        return web.json_response(report.to_json(), status=200 if report.ok else 503,
                                 headers={"Cache-Control": "no-store"})

    async def _metrics(self, request: web.Request) -> web.Response:
        await refresh_gauges(self.services)
        return web.Response(body=self.services.metrics.render(),
                            headers={"Content-Type": CONTENT_TYPE})


def content_disposition(kind: str, filename: str) -> str:
    """The file's name for the download: plain ASCII for old clients, UTF-8 (RFC 6266) for
    the rest — a Vietnamese name arrives with its diacritics."""
    bare = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in bare if 32 <= ord(ch) < 127 and ch not in '"\\') or "file"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def _receive(receiver: Receiver | None, request: web.Request) -> web.Response:
    if receiver is None:  # this channel does not receive by webhook here
        return web.Response(status=404, text=_NOT_FOUND)
    return await receiver(request)


class WebServer:
    """Listens for :class:`WebRoutes` (one aiohttp application)."""

    def __init__(self, routes: WebRoutes) -> None:
        self.web = routes
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Where it listens (http://host:port), not the public address."""
        if self._url is None:
            raise RuntimeError("the web server is not started")
        return self._url

    def build_app(self) -> web.Application:
        app = web.Application()
        app.add_routes(self.web.routes())
        return app

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
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

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
