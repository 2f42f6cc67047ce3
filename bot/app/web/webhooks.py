"""Receiving updates by webhook: Telegram's and Zalo's, each checked against its secret.

Both platforms send the secret given to setWebhook in a header. It is compared in constant time
(``hmac.compare_digest``); a wrong or missing one gets 403 and the body is not even read, so
nothing changes. Refusals are counted (``tocns_errors_total{kind="webhook_secret"}``) but logged
at most once a minute: somebody knocking thousands of times must not flood the journal. A body
that is not an update (``{}``, JSON nested thousands deep, a date no calendar has) with the right
secret gets 400 and counts as ``webhook_malformed``, never a 500 with a traceback. An accepted
update is written to the durable inbox (``bot.app.intake``) before the 200 goes back — the 200
is what tells the platform it may forget it — and is handled from there, in its own task; a
repeated delivery is recognised by its key and handled once.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.app.intake import Intake
from bot.app.zalo_poller import UpdateHandler
from bot.channels.telegram import incoming_from_json
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


#: Refused webhook calls are logged at most once per this many seconds (with how many).
REFUSAL_LOG_INTERVAL_S = 60.0


class Throttle:
    """Says when a repeated event is worth a log line again: the first time, then at most once
    per ``interval``; :meth:`due` returns how many happened since the last line (0: stay
    quiet)."""

    def __init__(self, interval: float = REFUSAL_LOG_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: float | None = None
        self._pending = 0

    def due(self) -> int:
        self._pending += 1
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            return 0
        self._last, count, self._pending = now, self._pending, 0
        return count


def _refused(metrics: Metrics, channel: str, throttle: Throttle) -> web.Response:
    metrics.error("webhook_secret")
    count = throttle.due()
    if count:
        log.warning("%s webhook: %d call(s) refused (wrong or missing secret) since the last "
                    "such line", channel, count)
    return web.Response(status=403, text="Forbidden")


def _malformed(metrics: Metrics) -> None:
    metrics.error("webhook_malformed")


async def _json_object(request: web.Request) -> dict[str, Any] | None:
    """The body as a JSON object; None for anything else (bad JSON, nesting too deep for the
    parser, a body over the server's limit is refused by aiohttp with 413 before this)."""
    try:
        body = json.loads(await request.text())
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


class TelegramReceiver:
    """Stores Telegram's POSTed updates in the inbox; the intake handles them from there."""

    def __init__(self, intake: Intake, secret: str, metrics: Metrics) -> None:
        self.intake = intake
        self.secret = secret
        self.metrics = metrics
        self.throttle = Throttle()

    async def __call__(self, request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(TELEGRAM_HEADER), self.secret):
            return _refused(self.metrics, "Telegram", self.throttle)
        body = await _json_object(request)
        if body is None:
            _malformed(self.metrics)
            return web.Response(status=400, text="Bad Request")
        try:
            incoming = incoming_from_json(body)
        except Exception:
            # Whatever the library chokes on (no update_id, a date of year 31,000,000...) is
            # not an update Telegram would send: refused as such, no traceback in the log.
            _malformed(self.metrics)
            return web.Response(status=400, text="Bad Request")
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
        self.throttle = Throttle()

    async def __call__(self, request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(ZALO_HEADER), self.secret):
            return _refused(self.metrics, "Zalo", self.throttle)
        body = await _json_object(request)
        update = unwrap(body) if body is not None else None
        if update is None:
            _malformed(self.metrics)
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
