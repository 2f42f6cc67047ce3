"""A thin client for the Zalo Bot API: POST JSON to ``{base}{token}/{method}``.

The existing Python clients are not safe to build on (see the reference notes), and the API is
small. Replies come in Telegram's envelope: ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": "..."}``.

Every failure leaves as a :class:`~bot.core.chat.ChannelError` (the Bot API's ``error_code`` in
its ``code``). Retries follow the channels' one rule (:mod:`bot.channels.retry`) with a growing
wait; 429 ("quota exceeded", no retry-after published) is retried here too. A long poll
(getUpdates) is not retried here: the poller decides, so a 408 "no update" is never mistaken
for a failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bot.channels.retry import with_retries
from bot.channels.send_budget import SendBudget
from bot.core.chat import ChannelError, Failure, TokenRefused, WrongAddress

log = logging.getLogger(__name__)

#: Zalo's answer to a long poll that ended without an update.
NO_UPDATE = 408
QUOTA_EXCEEDED = 429


#: getMe's answers to a token Zalo does not know.
REFUSED = (401, 403, 404)


def api_error(code: int, description: str, *, from_api: bool = True) -> ChannelError:
    """An error answer, in the channel-neutral terms of the app; ``from_api`` False when the
    answer was no Bot API envelope at all (an HTML 404 of a wrong ZALO_API_BASE_URL)."""
    reason = f"Zalo Bot API error {code}: {description}"
    failure = Failure.FINAL
    if code == QUOTA_EXCEEDED:
        failure = Failure.RATE_LIMITED  # no retry-after published: a second, then again
    elif code >= 500 or code == NO_UPDATE:
        failure = Failure.TRANSIENT
    wait = 1.0 if failure is Failure.RATE_LIMITED else 0.0
    if not from_api:
        return WrongAddress(failure, reason, code=code, answer=description, wait=wait,
                            channel="zalo")
    return ChannelError(failure, reason, wait=wait, code=code, channel="zalo")


def transport_error(exc: httpx.HTTPError) -> ChannelError:
    """A request that failed on the way (no answer, or no usable one)."""
    if isinstance(exc, httpx.HTTPStatusError):
        return api_error(exc.response.status_code, exc.response.reason_phrase or "")
    return ChannelError(Failure.TRANSIENT, f"{type(exc).__name__}: {exc}",
                        maybe_done=isinstance(exc, httpx.ReadTimeout), channel="zalo")


class ZaloApi:
    def __init__(self, token: str, base_url: str, *, retries: int = 4, backoff: float = 1.0,
                 request_timeout: float = 20.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 budget: SendBudget | None = None) -> None:
        self._url = f"{base_url}{token}/"
        #: Zalo's messages a second, shared by answers and the outbox (answers first).
        self.budget = budget
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._request_timeout = request_timeout
        self._client = httpx.AsyncClient(timeout=request_timeout)

    async def close(self) -> None:
        await self._client.aclose()

    async def call(self, method: str, body: dict[str, Any] | None = None, *,
                   retry: bool = True, timeout: float | None = None) -> Any:
        """The method's ``result``; a :class:`ChannelError` on failure."""
        delays = tuple(self.backoff * 2 ** n for n in range(self.retries)) if retry else ()
        # Every method is tried again after a timeout too, sends included, as Zalo's client
        # always has: Zalo gives no way to tell whether a timed-out send went out.
        return await with_retries(lambda: self._once(method, body or {}, timeout),
                                  delays=delays, idempotent=True, rate_limits=True,
                                  what=f"Zalo {method}", sleep=self._sleep)

    async def _once(self, method: str, body: dict[str, Any], timeout: float | None) -> Any:
        try:
            response = await self._client.post(
                self._url + method, json=body,
                timeout=timeout if timeout is not None else self._request_timeout)
        except httpx.TransportError as exc:
            raise transport_error(exc) from exc
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict):
            raise api_error(response.status_code, response.reason_phrase or "no JSON reply",
                            from_api=False)
        if envelope.get("ok"):
            return envelope.get("result")
        code = envelope.get("error_code")
        raise api_error(int(code) if isinstance(code, int) else response.status_code,
                        str(envelope.get("description") or "unknown error"))

    # --- the methods the bot uses ---------------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        try:
            result = await self.call("getMe")
        except ChannelError as exc:
            if exc.code in REFUSED and not isinstance(exc, WrongAddress):
                raise TokenRefused(exc.reason, code=exc.code, channel="zalo") from exc
            raise
        return result if isinstance(result, dict) else {}

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self.call("getWebhookInfo")
        return result if isinstance(result, dict) else {}

    async def get_update(self, timeout: int) -> dict[str, Any] | None:
        """One update, or None when the long poll ended empty (Zalo's 408)."""
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)}, retry=False,
                                     timeout=timeout + 10)
        except ChannelError as exc:
            if exc.code == NO_UPDATE:
                return None
            raise
        return result if isinstance(result, dict) and result else None

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        result = await self._send("sendMessage", {"chat_id": chat_id, "text": text})
        return result if isinstance(result, dict) else {}

    async def send_photo(self, chat_id: str, photo_url: str, caption: str) -> dict[str, Any]:
        body = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            body["caption"] = caption
        result = await self._send("sendPhoto", body)
        return result if isinstance(result, dict) else {}

    async def _send(self, method: str, body: dict[str, Any]) -> Any:
        if self.budget is None:
            return await self.call(method, body)
        async with self.budget.slot():
            return await self.call(method, body)

    async def download(self, url: str) -> bytes:
        try:
            response = await self._client.get(url)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise transport_error(exc) from exc
        return response.content
