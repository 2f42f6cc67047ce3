"""A local Telegram Bot API server: the real python-telegram-bot stack runs against it unmodified.

    server = SandboxServer()
    await server.start()
    app = Application.builder().token("1:T").base_url(server.bot_api_base_url) \
        .base_file_url(server.file_base_url).build()

Bot API calls live at ``/bot{token}/{method}``, downloads at ``/file/bot{token}/{path}``, the
people's side at ``/sandbox/api/...`` and the chat page at ``/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.web_request import FileField

from bot.sandbox.bot_api import SENDING_METHODS, BotApi
from bot.sandbox.errors import BotApiError, not_found, too_many_requests
from bot.sandbox.faults import Fault, FaultConfig, FaultInjector
from bot.sandbox.flood import FloodControl, FloodLimiter
from bot.sandbox.params import ApiParams, UploadedPart
from bot.sandbox.people import PeopleProvider
from bot.sandbox.state import JSON, SandboxState, SandboxStats, now
from bot.sandbox.user_api import UserApi, UserApiError
from bot.sandbox.zalo_api import ZaloSandbox

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # Telegram's limit for bot uploads
#: Telegram's answer to a token it does not know (revoked with /revoke, or mistyped).
UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
_FAULT_ANSWERS = {Fault.ERROR_500: (500, "Internal Server Error"),
                  Fault.ERROR_502: (502, "Bad Gateway")}


class SandboxServer:
    def __init__(
        self,
        *,
        bot_username: str = "tocns_demo_bot",
        bot_id: int = 7000000001,
        bot_name: str = "Tổ CNS Demo",
        flood: FloodControl | None = None,
        faults: FaultConfig | None = None,
        people: PeopleProvider | None = None,
    ) -> None:
        self.state = SandboxState({"id": bot_id, "is_bot": True, "first_name": bot_name,
                                   "username": bot_username})
        self.people = people
        self.bot_api = BotApi(self.state)
        #: The Zalo Bot API of the same sandbox, at ``/zalo/bot{token}/{method}``.
        self.zalo = ZaloSandbox(self)
        self._flood: FloodLimiter | None = FloodLimiter(flood) if flood else None
        self._faults: FaultInjector | None = FaultInjector(faults) if faults else None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._client: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._zalo_webhook_task: asyncio.Task[None] | None = None
        self._closing = False
        #: Tokens answered 401 Unauthorized on both APIs, as for a revoked or mistyped token.
        self.refused_tokens: set[str] = set()
        #: Routes of the product's own web server served here too (the demo: file links,
        #: /healthz, /metrics on the sandbox's address); see :meth:`serve_too`.
        self._extra_routes: list[web.RouteDef] = []

    # --- run-time switches --------------------------------------------------------------------

    @property
    def flood(self) -> FloodControl | None:
        return self._flood.config if self._flood else None

    @flood.setter
    def flood(self, config: FloodControl | None) -> None:
        self._flood = FloodLimiter(config) if config else None

    @property
    def faults(self) -> FaultConfig | None:
        return self._faults.config if self._faults else None

    @faults.setter
    def faults(self, config: FaultConfig | None) -> None:
        self._faults = FaultInjector(config) if config else None

    def config_json(self) -> JSON:
        return {"flood": self.flood.to_json() if self.flood else None,
                "faults": self.faults.to_json() if self.faults else None}

    def add_person(self, user_id: int, first_name: str, language_code: str = "vi") -> None:
        """Someone who has talked to the bot before: the bot can message their private chat.

        Telegram only lets a bot write to a person who started it; the demo's personas and
        the people a test links straight into the database are such people.
        """
        user = self.state.remember_user(user_id, first_name, language_code=language_code)
        if user_id not in self.state.chats:
            self.state.open_chat(user_id, user)

    def redeliver(self, update_id: int) -> None:
        """Hand an already confirmed update to the bot again (at-least-once delivery)."""
        self.state.redeliver(update_id)

    @property
    def last_update_id(self) -> int:
        return max(self.state.handed_out, default=0)

    def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        """Simulate a user who blocked the bot: sends to them answer 403."""
        if blocked:
            self.state.blocked_users.add(user_id)
        else:
            self.state.blocked_users.discard(user_id)

    @property
    def stats(self) -> SandboxStats:
        return self.state.stats

    @property
    def tokens(self) -> set[str]:
        """Every bot token a client has used (any token is accepted)."""
        return self.state.tokens

    # --- life cycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the sandbox server is not started")
        return self._url

    @property
    def bot_api_base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def zalo_api_base_url(self) -> str:
        return self.zalo.base_url

    def serve_too(self, routes: list[web.RouteDef]) -> None:
        """Serve these routes as well, from the next start (the demo's product web routes)."""
        self._extra_routes.extend(routes)

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES,
                              middlewares=[self._no_tracebacks])
        app.add_routes(UserApi(self).routes())
        app.add_routes(self.zalo.routes())
        app.add_routes([
            web.route("*", r"/bot{token}/{method}", self._bot_api),
            web.get(r"/file/bot{token}/{file_path:.+}", self._bot_file),
            web.get("/", self._index),
            web.static("/static", STATIC_DIR),
        ])
        app.add_routes(self._extra_routes)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        bound_port = sockets[0].getsockname()[1] if sockets else port
        self._url = f"http://{host}:{bound_port}"
        self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        self._zalo_webhook_task = asyncio.create_task(self.zalo.deliver_webhooks())
        log.info("Telegram sandbox listening on %s", self._url)

    async def stop(self) -> None:
        self._closing = True
        # Release long polls first so the HTTP server can shut down without waiting for them.
        self.state.updates_changed.close()
        self.state.events_changed.close()
        self.zalo.state.close()
        for task in (self._webhook_task, self._zalo_webhook_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def client_session(self) -> aiohttp.ClientSession:
        """A shared HTTP client for test users and webhook delivery, closed by :meth:`stop`."""
        if self._client is None or self._client.closed:
            self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self._client

    # --- HTTP handlers ------------------------------------------------------------------------

    @web.middleware
    async def _no_tracebacks(self, request: web.Request,
                             handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                             ) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except UserApiError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        except Exception:
            log.exception("sandbox request %s failed", request.path)
            return web.json_response({"ok": False, "error_code": 500,
                                      "description": "Internal Server Error"}, status=500)

    async def _index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html",
                                headers={"Cache-Control": "no-store"})

    async def _bot_api(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = request.match_info["method"].lower()
        self.state.tokens.add(token)
        self.state.stats.requests[method] += 1
        if token in self.refused_tokens:
            return web.json_response(UNAUTHORIZED, status=401)
        try:
            params = await read_params(request)
            handler = self.bot_api.handlers.get(method)
            if handler is None:
                raise not_found()
            if self._faults is not None and self._faults.applies_to(method):
                decision = self._faults.decide()
                if decision.slow:
                    self.state.stats.faults["slow"] += 1
                    # The server simulating network latency, not a client polling loop.
                    await asyncio.sleep(self._faults.config.slow_seconds)
                if decision.fault is Fault.DROP:
                    self.state.stats.faults["drop"] += 1
                    return drop_connection(request)
                if decision.fault in _FAULT_ANSWERS:
                    self.state.stats.faults[decision.fault.value] += 1
                    status, text = _FAULT_ANSWERS[decision.fault]
                    return web.json_response(
                        {"ok": False, "error_code": status, "description": text}, status=status)
            if self._flood is not None and method in SENDING_METHODS:
                chat_id = params.chat_id()
                retry_after = self._flood.acquire(chat_id, self.state.is_group(chat_id))
                if retry_after:
                    self.state.stats.too_many_requests += 1
                    raise too_many_requests(retry_after)
            result = await handler(params)
        except BotApiError as exc:
            return web.json_response(exc.payload(), status=exc.status)
        return web.json_response({"ok": True, "result": result},
                                 dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

    async def _bot_file(self, request: web.Request) -> web.Response:
        stored = self.state.files_by_path.get(request.match_info["file_path"])
        if stored is None:
            raise web.HTTPNotFound(text="Not Found")
        return web.Response(body=stored.data, content_type=stored.mime_type)

    # --- webhook delivery ---------------------------------------------------------------------

    async def _deliver_webhooks(self) -> None:
        """POST pending updates, in order, to the webhook (when one is set), like Telegram."""
        state = self.state
        failures = 0
        while not self._closing:
            await state.updates_changed.wait_until(
                lambda: state.webhook is not None and bool(state.updates), 3600)
            hook = state.webhook
            if self._closing or hook is None or not state.updates:
                continue
            update = state.updates[0]
            headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} \
                if hook.secret_token else {}
            try:
                async with self.client_session.post(hook.url, json=update,
                                                    headers=headers) as response:
                    delivered = response.status < 300
                    error = f"Wrong response from the webhook: {response.status} " \
                            f"{response.reason}"
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                delivered, error = False, f"Connection failed: {exc.__class__.__name__}"
            if delivered:
                failures = 0
                if state.updates and state.updates[0] is update:
                    state.updates.pop(0)
                continue
            failures += 1
            hook.last_error_date, hook.last_error_message = now(), error
            # Back off like Telegram before retrying; deleteWebhook wakes us up early.
            await state.updates_changed.wait_until(lambda h=hook: state.webhook is not h,  # type: ignore[misc]
                                                   min(5.0, 0.1 * 2 ** failures))


async def read_params(request: web.Request) -> ApiParams:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params = ApiParams(values=dict(request.query))
    if request.method not in {"POST", "PUT"} or not request.can_read_body:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise BotApiError(400, "Bad Request: can't parse JSON object") from None
        if isinstance(body, dict):
            params.values.update(body)
    elif content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, FileField):
                params.files[name] = UploadedPart(value.filename, value.content_type,
                                                  value.file.read())
            elif isinstance(value, str):
                params.values[name] = value
    return params


def drop_connection(request: web.Request) -> web.Response:
    """Close the socket without answering, as a flaky network would."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=500)
