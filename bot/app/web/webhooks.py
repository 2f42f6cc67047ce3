"""Receiving updates by webhook: Telegram's and Zalo's, each checked against its secret.

Both platforms send the secret given to setWebhook in a header. It is compared in constant time
(``hmac.compare_digest``); a wrong or missing one gets 403 and the body is not even read, so
nothing changes. An accepted update is written to the durable inbox (``bot.app.intake``) before
the 200 goes back — the 200 is what tells the platform it may forget it — and is handled from
there, in its own task; a repeated delivery is recognised by its key and handled once.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from bot.app.intake import Intake
from bot.app.zalo_poller import UpdateHandler
from bot.channels.telegram import to_incoming
from handlers.kit.metrics import Metrics

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
    """Stores Telegram's POSTed updates in the inbox; the intake handles them from there."""

    def __init__(self, intake: Intake, bot: Bot, secret: str, metrics: Metrics) -> None:
        self.intake = intake
        self.bot = bot
        self.secret = secret
        self.metrics = metrics

    async def __call__(self, request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(TELEGRAM_HEADER), self.secret):
            return _refused(self.metrics, "Telegram")
        body = await _json_object(request)
        update = Update.de_json(body, self.bot) if body is not None else None
        if update is None:
            return web.Response(status=400, text="Bad Request")
        incoming = to_incoming(update)
        if incoming is not None:
            await self.intake.accept([incoming])
        return web.Response(status=200)


class ZaloReceiver:
    """Stores Zalo's POSTed updates, wrapped in ``{"ok": true, "result": …}`` or not, through
    the Zalo channel's update handler (the inbox) before answering."""

    def __init__(self, handle: UpdateHandler, secret: str, metrics: Metrics) -> None:
        self.handle = handle
        self.secret = secret
        self.metrics = metrics

    async def __call__(self, request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(ZALO_HEADER), self.secret):
            return _refused(self.metrics, "Zalo")
        body = await _json_object(request)
        update = unwrap(body) if body is not None else None
        if update is None:
            return web.json_response({"ok": False, "description": "not an update"}, status=400)
        await self.handle(update)
        return web.json_response({"ok": True})

    async def finish(self) -> None:
        """Nothing is kept in hand here: updates in the inbox are the intake's business."""


def unwrap(body: dict[str, Any]) -> dict[str, Any] | None:
    """The update in a webhook body: Zalo's docs show it wrapped, clients see it bare."""
    if "event_name" in body:
        return body
    result = body.get("result")
    if isinstance(result, dict) and "event_name" in result:
        return result
    return None
