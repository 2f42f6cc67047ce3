"""The sandbox's Zalo Bot API (``/zalo/bot{token}/{method}``) and its people's side.

Bot side: getMe, getUpdates (one update per call, long poll, 408 when it ends empty; 409 while
a webhook is set), setWebhook/deleteWebhook/getWebhookInfo — with a webhook set, updates are
POSTed to it in order, wrapped as Zalo's docs show (``{"ok": true, "result": update}``) with
the secret in ``X-Bot-Api-Secret-Token`` — sendMessage (text 1–2000 characters), sendPhoto (a
URL and a caption), sendChatAction, sendSticker.

People's side (the chat page and :class:`bot.sandbox.zalo_testing.SandboxZaloUser`):
``POST /sandbox/api/zalo/send`` (text or sticker), ``POST /sandbox/api/zalo/image`` (multipart),
``POST /sandbox/api/zalo/redeliver``, ``GET /sandbox/api/zalo/chats/{chat_id}/messages`` (long
poll), and the people's photos the bot downloads (``/sandbox/zalo/media/{id}``). The bot's own
photos and documents come by its file links (``storage.file_links``), as with real Zalo.
"""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.web_request import FileField

from bot.sandbox.host import ZaloHost
from bot.sandbox.user_api import UserApiError
from bot.sandbox.zalo_state import JSON, ZALO_TEXT_LIMIT, ZaloFault, ZaloState, now_ms

MAX_POLL_SECONDS = 60.0
MAX_WAIT_SECONDS = 30.0
WEBHOOK_SECRET_HEADER = "X-Bot-Api-Secret-Token"
_HEX_ID = re.compile(r"^[0-9a-f]{1,64}$")


class ZaloError(Exception):
    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description


def _text_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class ZaloSandbox:
    def __init__(self, server: ZaloHost) -> None:
        self.server = server
        self.state = ZaloState()
        self._methods = {
            "getme": self.get_me, "getupdates": self.get_updates,
            "deletewebhook": self.delete_webhook, "setwebhook": self.set_webhook,
            "getwebhookinfo": self.get_webhook_info, "sendmessage": self.send_message,
            "sendphoto": self.send_photo, "sendchataction": self.send_chat_action,
            "sendsticker": self.send_sticker,
        }

    @property
    def base_url(self) -> str:
        """What ``ZALO_API_BASE_URL`` is in the sandbox: the token and method follow."""
        return f"{self.server.url}/zalo/bot"

    def fail_next(self, method: str, error_code: int, description: str = "",
                  times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer this error (429, 500...)."""
        self.state.faults.append(ZaloFault(method.lower(), error_code,
                                           description or f"error {error_code}", times))

    def routes(self) -> list[web.RouteDef]:
        return [
            web.route("*", r"/zalo/bot{token}/{method}", self.bot_api),
            web.post("/sandbox/api/zalo/send", self.user_send),
            web.post("/sandbox/api/zalo/image", self.user_image),
            web.post("/sandbox/api/zalo/redeliver", self.user_redeliver),
            web.get("/sandbox/api/zalo/chats/{chat_id}/messages", self.chat_messages),
            web.get("/sandbox/zalo/media/{photo_id}", self.media),
        ]

    # --- bot side -----------------------------------------------------------------------------

    async def bot_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        self.state.stats.requests[method] += 1
        if request.match_info["token"] in self.server.refused_tokens:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        try:
            body = await _body(request)
            handler = self._methods.get(method)
            if handler is None:
                raise ZaloError(404, "Method not found")
            fault = self.state.fault_for(method)
            if fault is not None:
                raise ZaloError(fault.error_code, fault.description)
            result = await handler(body, request)
        except ZaloError as exc:
            self.state.stats.errors[exc.error_code] += 1
            return web.json_response(
                {"ok": False, "error_code": exc.error_code, "description": exc.description},
                status=exc.error_code if exc.error_code >= 400 else 400)
        return web.json_response({"ok": True, "result": result},
                                 dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

    async def get_me(self, body: JSON, request: web.Request) -> Any:
        return dict(self.state.bot)

    async def get_updates(self, body: JSON, request: web.Request) -> Any:
        if self.state.webhook is not None:
            raise ZaloError(409, "Webhook is active: delete it before polling")
        try:
            timeout = min(MAX_POLL_SECONDS, max(0.0, float(body.get("timeout", "30"))))
        except (TypeError, ValueError):
            raise ZaloError(400, "timeout must be a number of seconds") from None
        state = self.state

        def gone() -> bool:
            transport = request.transport
            return transport is None or transport.is_closing()

        await state.updates_changed.wait_until(lambda: bool(state.updates) or gone(), timeout)
        # A poller that hung up (a restart) gets nothing: the update waits for the next poll.
        update = None if gone() else state.take_update()
        if update is None:
            state.stats.empty_polls += 1
        state.polled.notify()
        if update is None:
            raise ZaloError(408, "Request timeout")
        return update

    async def delete_webhook(self, body: JSON, request: web.Request) -> Any:
        self.state.webhook = None
        self.state.updates_changed.notify()
        return {"url": "", "updated_at": now_ms()}

    async def set_webhook(self, body: JSON, request: web.Request) -> Any:
        url = str(body.get("url") or "")
        secret = str(body.get("secret_token") or "")
        if not url.startswith(("https://", "http://")):
            raise ZaloError(400, "url must be an HTTPS address")
        if not 8 <= len(secret) <= 256:
            raise ZaloError(400, "secret_token must be 8-256 characters")
        self.state.webhook = {"url": url, "secret_token": secret, "updated_at": now_ms()}
        self.state.updates_changed.notify()  # wakes the webhook deliverer
        return {"url": url, "updated_at": self.state.webhook["updated_at"]}

    async def get_webhook_info(self, body: JSON, request: web.Request) -> Any:
        hook = self.state.webhook
        return {"url": hook["url"], "updated_at": hook["updated_at"]} if hook else {"url": ""}

    async def send_message(self, body: JSON, request: web.Request) -> Any:
        chat_id = _chat_id(body)
        text = body.get("text")
        if not isinstance(text, str) or not 1 <= _text_length(text) <= ZALO_TEXT_LIMIT:
            raise ZaloError(400, f"text must be 1-{ZALO_TEXT_LIMIT} characters")
        return _sent(self.state.bot_message(chat_id, text=text))

    async def send_photo(self, body: JSON, request: web.Request) -> Any:
        chat_id = _chat_id(body)
        photo = body.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            raise ZaloError(400, "photo must be a public URL")
        caption = body.get("caption")
        content: JSON = {"photo_url": photo}
        if caption is not None:
            if not isinstance(caption, str) or _text_length(caption) > ZALO_TEXT_LIMIT:
                raise ZaloError(400, f"caption must be at most {ZALO_TEXT_LIMIT} characters")
            content["caption"] = caption
        return _sent(self.state.bot_message(chat_id, **content))

    async def send_sticker(self, body: JSON, request: web.Request) -> Any:
        chat_id = _chat_id(body)
        return _sent(self.state.bot_message(chat_id, sticker=str(body.get("sticker") or "")))

    async def send_chat_action(self, body: JSON, request: web.Request) -> Any:
        _chat_id(body)
        return True

    async def deliver_webhooks(self) -> None:
        """POST queued updates, in order, to the webhook while one is set (until cancelled).

        A refused or failed delivery is retried after a short back-off (real Zalo may drop it;
        the sandbox is kinder, so a test sees the bot's answer, not a lost message).
        """
        state = self.state
        failures = 0
        while not state.updates_changed.closed:
            await state.updates_changed.wait_until(
                lambda: state.webhook is not None and bool(state.updates), 3600)
            hook = state.webhook
            if hook is None or not state.updates:
                continue
            update = state.updates[0]
            try:
                async with self.server.client_session.post(
                        hook["url"], json={"ok": True, "result": update},
                        headers={WEBHOOK_SECRET_HEADER: hook["secret_token"]}) as response:
                    delivered = response.status < 300
            except (aiohttp.ClientError, TimeoutError, OSError):
                delivered = False
            if delivered:
                failures = 0
                if state.updates and state.updates[0] is update:
                    state.updates.pop(0)
                state.stats.webhook_deliveries += 1
                continue
            failures += 1
            state.stats.webhook_failures += 1
            # Back off before retrying; a new or deleted webhook wakes us up early.
            await state.updates_changed.wait_until(lambda h=hook: state.webhook is not h,  # type: ignore[misc]
                                                   min(5.0, 0.1 * 2 ** failures))

    # --- people's side ------------------------------------------------------------------------

    def _sender(self, body: dict[str, Any]) -> JSON:
        user_id = str(body.get("user_id") or "").lower()
        if not _HEX_ID.match(user_id):
            raise UserApiError("user_id must be a Zalo id (hex digits)")
        known = self.state.users.get(user_id, {})
        name = str(body.get("display_name") or known.get("display_name") or "")
        return self.state.remember_user(user_id, name)

    async def user_send(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        user = self._sender(body)
        if body.get("sticker"):
            message = self.state.user_message(user, "message.sticker.received",
                                              sticker=str(body["sticker"]))
            return web.json_response({"ok": True, "message": message})
        text = str(body.get("text") or "")
        if not text.strip():
            raise UserApiError("text is empty")
        if _text_length(text) > ZALO_TEXT_LIMIT:
            raise UserApiError("text is too long")
        message = self.state.user_message(user, "message.text.received", text=text)
        return web.json_response({"ok": True, "message": message})

    async def user_image(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, FileField):
            raise UserApiError("file is missing")
        data = upload.file.read()
        mime = (upload.content_type or "").lower()
        if not data or not mime.startswith("image/"):
            raise UserApiError("Zalo bots receive images only")
        user = self._sender({k: v for k, v in form.items() if isinstance(v, str)})
        photo_url = self.media_url(self.state.host_photo(data, mime))
        content: JSON = {"photo_url": photo_url}
        caption = form.get("caption")
        if isinstance(caption, str) and caption:
            content["caption"] = caption
        message = self.state.user_message(user, "message.image.received", **content)
        return web.json_response({"ok": True, "message": message})

    async def user_redeliver(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        message_id = str(body.get("message_id") or "")
        if message_id not in self.state.handed_out:
            raise UserApiError("no such message")
        self.state.redeliver(message_id)
        return web.json_response({"ok": True})

    async def chat_messages(self, request: web.Request) -> web.Response:
        chat_id = request.match_info["chat_id"].lower()
        try:
            after = int(request.query.get("after", "0"))
            wait = min(MAX_WAIT_SECONDS, max(0.0, float(request.query.get("wait", "0"))))
        except ValueError:
            raise UserApiError("after and wait must be numbers") from None
        state = self.state
        await state.events_changed.wait_until(lambda: bool(state.events_after(chat_id, after)),
                                              wait)
        events = state.events_after(chat_id, after)
        return web.json_response({"ok": True, "events": events,
                                  "last_seq": events[-1]["seq"] if events else max(after, 0)},
                                 dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

    async def media(self, request: web.Request) -> web.Response:
        photo = self.state.photos.get(request.match_info["photo_id"])
        if photo is None:
            raise web.HTTPNotFound(text="not found")
        return web.Response(body=photo.data, content_type=photo.mime_type)

    def media_url(self, photo_id: str) -> str:
        return f"{self.server.url}/sandbox/zalo/media/{photo_id}"


def _chat_id(body: JSON) -> str:
    chat_id = body.get("chat_id")
    if not isinstance(chat_id, str) or not chat_id:
        raise ZaloError(400, "chat_id is required")
    return chat_id


def _sent(message: JSON) -> JSON:
    return {"message_id": message["message_id"], "date": message["date"]}


async def _body(request: web.Request) -> JSON:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise ZaloError(400, "Body must be JSON") from None
    if not isinstance(body, dict):
        raise ZaloError(400, "Body must be a JSON object")
    return body


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise UserApiError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise UserApiError("the body must be a JSON object")
    return body
