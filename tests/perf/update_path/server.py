"""A minimal loopback Bot API server for the update-path benchmark.

Deliberately not the product sandbox (``bot/sandbox``): that one validates every parameter and
keeps whole chats for its chat page, which costs more CPU than a bare echo bot. Here each call
does the least that keeps python-telegram-bot and aiogram happy, so what the benchmark measures
is the bot's own cost. There are no rate limits; a round trip (``rtt``) can be set at any time
and is spent as ``asyncio.sleep``: half before the call is handled (the request on its way) and
half after (the response on its way back).

Simulated members put updates in with :meth:`FakeBotApi.user_message` and
:meth:`FakeBotApi.button_press`, and wait for the bot's next visible answer in their chat
(a sent or an edited message) with :meth:`FakeBotApi.expect`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

JSON = dict[str, Any]
BOT_USER: JSON = {"id": 7000000099, "is_bot": True, "first_name": "Bench bot",
                  "username": "bench_bot"}
#: (time the answer reached the server, the message as the bot's call made it, was it an edit)
Answer = tuple[float, JSON, bool]


def _user(user_id: int) -> JSON:
    return {"id": user_id, "is_bot": False, "first_name": f"Member {user_id}",
            "language_code": "vi"}


def _private_chat(chat_id: int) -> JSON:
    return {"id": chat_id, "type": "private", "first_name": f"Member {chat_id}"}


def _obj(value: Any) -> Any:
    """Form-encoded requests carry objects (reply_markup...) as JSON text."""
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


class FakeBotApi:
    def __init__(self) -> None:
        self.rtt = 0.0
        #: Calls by method name, as the bot spelled it (the logging path's methods show here).
        self.calls: Counter[str] = Counter()
        #: Answers nobody waited for (an extra message, or one that came after a time-out).
        self.unsolicited = 0
        self.updates = 0  # updates put in by members
        self.peers: set[object] = set()  # client (host, port)s seen: TCP connections opened
        #: Delivered but not yet confirmed by an offset, oldest first (update ids only grow, so
        #: an offset confirms a prefix: dropping it costs the batch, not the whole backlog).
        self._pending: collections.deque[JSON] = collections.deque()
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._message_ids: dict[int, int] = {}
        self._new_update = asyncio.Event()
        self._waiters: dict[int, asyncio.Future[Answer]] = {}
        self._closing = False
        #: Telegram's overall limit on messages (sent or edited) a second, or None: no limit.
        #: Above it a send is answered 429 "retry after 1", as Telegram does.
        self.sends_per_second: int | None = None
        #: When each send or edit reached the server (refused ones too), to count any second's.
        self.send_log: list[float] = []
        self.refused = 0  # sends answered 429
        #: Each getUpdates answered: (when it reached the server, when its answer was ready,
        #: updates in it) — the time between two calls is the bot's own per batch.
        self.polls: list[tuple[float, float, int]] = []
        self._recent: collections.deque[float] = collections.deque()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._methods: dict[str, Callable[[JSON], Awaitable[Any]]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "answercallbackquery": self._true,
            "setmycommands": self._true,
            "deletewebhook": self._true,
            "getwebhookinfo": self._get_webhook_info,
            "close": self._true,
            "logout": self._true,
        }

    # --- life cycle ------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1") -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._new_update.set()  # a long poll in progress returns at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """The server root; python-telegram-bot wants ``url + "/bot"``, aiogram the root."""
        return f"http://127.0.0.1:{self.port}"

    # --- what members do --------------------------------------------------------------------------

    def expect(self, chat_id: int) -> asyncio.Future[Answer]:
        """The bot's next sent or edited message in this chat (one waiter per chat)."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiters[chat_id] = future
        return future

    def forget(self, chat_id: int) -> None:
        self._waiters.pop(chat_id, None)

    def user_message(self, user_id: int, text: str) -> None:
        message = {"message_id": self._next_message_id(user_id), "from": _user(user_id),
                   "chat": _private_chat(user_id), "date": int(time.time()), "text": text}
        if text.startswith("/"):
            command = text.split(" ", 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self._push({"message": message})

    def button_press(self, user_id: int, message: JSON, data: str) -> None:
        self._push({"callback_query": {
            "id": str(next(self._callback_ids)), "from": _user(user_id), "message": message,
            "chat_instance": str(user_id), "data": data,
        }})

    def _push(self, update: JSON) -> None:
        update["update_id"] = next(self._update_ids)
        self.updates += 1
        self._pending.append(update)
        self._new_update.set()

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = message_id = self._message_ids.get(chat_id, 0) + 1
        return message_id

    # --- the Bot API ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        name = request.match_info["method"]
        self.calls[name] += 1
        if request.transport is not None:
            self.peers.add(request.transport.get_extra_info("peername"))
        if request.content_type == "application/json":
            params: JSON = await request.json() if request.can_read_body else {}
        else:
            params = {key: value for key, value in (await request.post()).items()
                      if isinstance(value, str)}
        if self.rtt:
            await asyncio.sleep(self.rtt / 2)
        method = self._methods.get(name.lower())
        if name.lower() in ("sendmessage", "editmessagetext") and not self._within_limit():
            self.refused += 1
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": "Too Many Requests: retry after 1",
                                      "parameters": {"retry_after": 1}})
        if method is None:
            if self.calls[name] == 1:
                log.warning("Bot API method %s is not implemented; answered True", name)
            result: Any = True
        else:
            result = await method(params)
        response = web.json_response({"ok": True, "result": result})
        if name.lower() == "getupdates":
            self.polls.append((arrived, time.perf_counter(), len(result)))
        if self.rtt:
            await asyncio.sleep(self.rtt / 2)
        return response

    def _within_limit(self) -> bool:
        now = time.perf_counter()
        self.send_log.append(now)
        if self.sends_per_second is not None:
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.sends_per_second:
                return False
            self._recent.append(now)
        return True

    async def _true(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return {**BOT_USER, "can_join_groups": False, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return {"url": "", "has_custom_certificate": False,
                "pending_update_count": len(self._pending)}

    async def _get_updates(self, params: JSON) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        while offset and self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, min(50.0, float(params.get("timeout") or 0)))
        if not self._pending and timeout and not self._closing:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return list(itertools.islice(self._pending, limit))

    async def _send_message(self, params: JSON) -> JSON:
        chat_id = int(params["chat_id"])
        message: JSON = {"message_id": self._next_message_id(chat_id), "from": BOT_USER,
                         "chat": _private_chat(chat_id), "date": int(time.time()),
                         "text": params.get("text", "")}
        markup = _obj(params.get("reply_markup"))
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._answered(chat_id, message)
        return message

    async def _edit_message_text(self, params: JSON) -> JSON:
        chat_id = int(params["chat_id"])
        message: JSON = {"message_id": int(params["message_id"]), "from": BOT_USER,
                         "chat": _private_chat(chat_id), "date": int(time.time()),
                         "edit_date": int(time.time()), "text": params.get("text", "")}
        markup = _obj(params.get("reply_markup"))
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._answered(chat_id, message, edited=True)
        return message

    def _answered(self, chat_id: int, message: JSON, *, edited: bool = False) -> None:
        future = self._waiters.pop(chat_id, None)
        if future is None or future.done():
            self.unsolicited += 1
            return
        future.set_result((time.perf_counter(), message, edited))
