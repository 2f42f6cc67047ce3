"""Receiving updates by webhook: Telegram's and Zalo's, each checked against its secret.

Both platforms send the secret given to setWebhook in a header. It is compared in constant time
(``hmac.compare_digest``); a wrong or missing one gets 403 and the body is not even read, so
nothing changes. The dispatcher's processed-update keys make a repeated delivery count once.

When to answer differs, on purpose, with what each platform promises:

- Telegram retries an update until it gets a 2xx and delivers over several connections at
  once (``max_connections``): the update is handled before the answer goes back, so one the
  bot did not finish (a crash, a deploy) comes again, at no cost in throughput.
- Zalo's delivery is at most once and says nothing of parallel deliveries: the answer goes
  back at once and the update is handled in its own task, as the poller does, so one slow
  export never holds up Zalo's next delivery. Each chat stays in order (the dispatcher's
  per-chat lock is taken in arrival order).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.channels.zalo_poller import UpdateHandler
from bot.metrics import Metrics

log = logging.getLogger(__name__)

TELEGRAM_PATH = "/webhook/telegram"
ZALO_PATH = "/webhook/zalo"
TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ZALO_HEADER = "X-Bot-Api-Secret-Token"


def secret_matches(given: str | None, expected: str) -> bool:
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _refused(metrics: Metrics, channel: str) -> web.Response:
    metrics.error("webhook_secret")
    log.warning("%s webhook call refused: wrong or missing secret", channel)
    return web.Response(status=403, text="Forbidden")


async def _json_object(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class TelegramReceiver:
    """Hands Telegram's POSTed updates to python-telegram-bot's Application (same dispatcher)."""

    def __init__(self, app: Application, secret: str,  # type: ignore[type-arg]
                 metrics: Metrics) -> None:
        self.app = app
        self.secret = secret
        self.metrics = metrics
        self._in_flight: set[asyncio.Task[None]] = set()

    async def __call__(self, request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(TELEGRAM_HEADER), self.secret):
            return _refused(self.metrics, "Telegram")
        if not self.app.running:
            return web.Response(status=503, text="Starting")  # Telegram tries again later
        body = await _json_object(request)
        update = Update.de_json(body, self.app.bot) if body is not None else None
        if update is None:
            return web.Response(status=400, text="Bad Request")
        # process_update runs our handler and its error handler; it does not raise for them.
        # Its own task, so that stopping can wait for it (finish) before the bot stops.
        task = asyncio.create_task(self.app.process_update(update))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        await asyncio.shield(task)
        return web.Response(status=200)

    async def finish(self) -> None:
        """Wait for the updates in hand (the bot is stopping)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)


class ZaloReceiver:
    """Hands Zalo's POSTed updates, wrapped in ``{"ok": true, "result": …}`` or not, to the
    Zalo channel's update handler, each in its own task."""

    def __init__(self, handle: UpdateHandler, secret: str, metrics: Metrics) -> None:
        self.handle = handle
        self.secret = secret
        self.metrics = metrics
        self._in_flight: set[asyncio.Task[None]] = set()

    async def __call__(self, request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(ZALO_HEADER), self.secret):
            return _refused(self.metrics, "Zalo")
        body = await _json_object(request)
        update = unwrap(body) if body is not None else None
        if update is None:
            return web.json_response({"ok": False, "description": "not an update"}, status=400)
        task = asyncio.create_task(self._handle(update))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        return web.json_response({"ok": True})

    async def _handle(self, update: dict[str, Any]) -> None:
        try:
            await self.handle(update)
        except Exception:
            # The dispatcher answers people itself; this is what failed around it.
            log.exception("Zalo update could not be handled: %r", update.get("event_name"))

    async def finish(self) -> None:
        """Wait for the updates in hand (the channel is stopping)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)


def unwrap(body: dict[str, Any]) -> dict[str, Any] | None:
    """The update in a webhook body: Zalo's docs show it wrapped, clients see it bare."""
    if "event_name" in body:
        return body
    result = body.get("result")
    if isinstance(result, dict) and "event_name" in result:
        return result
    return None
