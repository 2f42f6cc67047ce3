"""``GET /api/v1/feed.json`` and ``/api/v1/feed.csv``: the feed for a collector of the level
above, with a read-only token (``Authorization: Bearer <token>``; ``python -m bot api-token``).

A token reads the feed and nothing else; an unknown or revoked one gets 401 with no hint which.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.app.web.dashboard.feed_http import feed_response
from bot.app.web.responses import starting
from bot.core.calendar import local_today
from handlers.kit.context import Services
from storage.file_links import token_hash
from storage.repos import Repos

API_PREFIX = "/api/v1"


class FeedApi:
    """Serves the bot ``served`` gives (503 until there is one: the sandbox demo starting)."""

    def __init__(self, served: Callable[[], Services | None]) -> None:
        self._served = served

    def routes(self) -> list[web.RouteDef]:
        return [web.get(API_PREFIX + "/feed.{fmt:csv|json}", self._feed)]

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        services = self._served()
        if services is None:
            return starting()
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        found = None
        if scheme.lower() == "bearer" and 20 <= len(token) <= 64:
            found = await services.read.web.live_token(token_hash(token))
        if found is None:
            return web.json_response({"error": "unauthorized"}, status=401, headers={
                "WWW-Authenticate": 'Bearer realm="tocns-feed"', "Cache-Control": "no-store"})
        now = services.clock()
        async with services.db.write() as conn:
            await Repos(conn).web.token_used(found, now)
        return await feed_response(services, request,
                                   local_today(now, services.settings.tz), now)
