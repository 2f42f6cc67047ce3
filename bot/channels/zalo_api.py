"""A thin client for the Zalo Bot API: POST JSON to ``{base}{token}/{method}``.

The existing Python clients are not safe to build on (see the reference notes), and the API is
small. Replies come in Telegram's envelope: ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": "..."}``.

Retries: 429 ("quota exceeded", no retry-after published) and 5xx/network failures are retried
with a growing wait; any other error is raised at once. A long poll (getUpdates) is not retried
here: the poller decides, so a 408 "no update" is never mistaken for a failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

log = logging.getLogger(__name__)

#: Zalo's answer to a long poll that ended without an update.
NO_UPDATE = 408
QUOTA_EXCEEDED = 429


class ZaloApiError(Exception):
    def __init__(self, error_code: int, description: str, *, from_api: bool = True) -> None:
        super().__init__(f"Zalo Bot API error {error_code}: {description}")
        self.error_code = error_code
        self.description = description
        #: False when the answer was no Bot API envelope at all (an HTML 404 of a wrong
        #: ZALO_API_BASE_URL): the address is at fault, not the token.
        self.from_api = from_api

    @property
    def retryable(self) -> bool:
        return self.error_code == QUOTA_EXCEEDED or self.error_code >= 500


class ZaloApi:
    def __init__(self, token: str, base_url: str, *, retries: int = 4, backoff: float = 1.0,
                 request_timeout: float = 20.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._url = f"{base_url}{token}/"
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._request_timeout = request_timeout
        self._client = httpx.AsyncClient(timeout=request_timeout)

    async def close(self) -> None:
        await self._client.aclose()

    async def call(self, method: str, body: dict[str, Any] | None = None, *,
                   retry: bool = True, timeout: float | None = None) -> Any:
        """The method's ``result``; :class:`ZaloApiError` (or an httpx error) on failure."""
        attempt = 0
        while True:
            try:
                return await self._once(method, body or {}, timeout)
            except (ZaloApiError, httpx.TransportError) as exc:
                temporary = not isinstance(exc, ZaloApiError) or exc.retryable
                if not retry or not temporary or attempt >= self.retries:
                    raise
                delay = self.backoff * 2 ** attempt
                attempt += 1
                log.warning("Zalo %s failed (%s); retry %d in %.1fs", method, exc, attempt,
                            delay)
                await self._sleep(delay)

    async def _once(self, method: str, body: dict[str, Any], timeout: float | None) -> Any:
        response = await self._client.post(
            self._url + method, json=body,
            timeout=timeout if timeout is not None else self._request_timeout)
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict):
            raise ZaloApiError(response.status_code, response.reason_phrase or "no JSON reply",
                               from_api=False)
        if envelope.get("ok"):
            return envelope.get("result")
        code = envelope.get("error_code")
        raise ZaloApiError(int(code) if isinstance(code, int) else response.status_code,
                           str(envelope.get("description") or "unknown error"))

    # --- the methods the bot uses ---------------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
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
        except ZaloApiError as exc:
            if exc.error_code == NO_UPDATE:
                return None
            raise
        return result if isinstance(result, dict) and result else None

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return result if isinstance(result, dict) else {}

    async def send_photo(self, chat_id: str, photo_url: str, caption: str) -> dict[str, Any]:
        body = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            body["caption"] = caption
        result = await self.call("sendPhoto", body)
        return result if isinstance(result, dict) else {}

    async def download(self, url: str) -> bytes:
        response = await self._client.get(url)
        response.raise_for_status()
        return response.content
