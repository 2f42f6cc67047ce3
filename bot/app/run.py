"""Running the bot: against Telegram and/or Zalo with tokens, or the local sandbox without.

With ``WEB_BASE_URL`` the bot's web server (``bot.app.web``) listens on ``WEB_HOST``:``WEB_PORT``
and both channels receive by webhook; without it they poll. The sandbox demo, which has no
public address, serves the same web routes (file links, /healthz, /metrics) on its own address.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from contextlib import AsyncExitStack
from datetime import timedelta

from bot.app.intake import Intake
from bot.app.jobs import scheduling
from bot.app.preconditions import StartupBlocked, blockers
from bot.app.run_lock import run_lock
from bot.app.services import Services, make_services
from bot.app.telegram import Webhook, build_telegram, running
from bot.app.web.server import WebRoutes, WebServer
from bot.app.web.webhooks import TELEGRAM_PATH, ZALO_PATH, TelegramReceiver, ZaloReceiver
from bot.app.zalo_poller import UpdateHandler, ZaloWebhook, running_zalo
from bot.config import Settings
from storage.db import Database
from storage.file_links import FileLinks
from storage.geography import settle_province

#: Any well-formed token works against the sandbox; this one says what it is.
SANDBOX_TOKEN = "7000000001:sandbox-token-for-local-demo"
SANDBOX_ZALO_TOKEN = "7000000002:sandbox-zalo-token-for-local-demo"


def file_base_url(api_base_url: str) -> str:
    """``https://api.telegram.org/bot`` → ``https://api.telegram.org/file/bot``.

    The same rule holds for a self-hosted Bot API server given in ``TELEGRAM_API_BASE_URL``.
    """
    root = api_base_url.rstrip("/").removesuffix("/bot")
    return f"{root}/file/bot"


async def run(settings: Settings, *, ready: asyncio.Event | None = None,
              stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop`` is set, for tests)."""
    stop = stop or asyncio.Event()
    # Signal handlers exist only in the main thread (and not on Windows); elsewhere ``stop``
    # is how the caller ends the run.
    if threading.current_thread() is threading.main_thread() and sys.platform != "win32":
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    # Files the service user cannot write: one line each, before anything is opened.
    blocked = blockers(settings)
    if blocked:
        raise StartupBlocked(blocked)
    async with AsyncExitStack() as stack:
        # One bot per database (and no restore under a running bot): see bot.app.run_lock.
        stack.enter_context(run_lock(settings.database_path))
        db = await stack.enter_async_context(Database(settings.database_path))
        await settle_province(db, settings.province_code)  # or ProvinceMismatch: one line
        services = make_services(settings, db)
        services.links = FileLinks(db, settings.files_dir,
                                   ttl=timedelta(hours=settings.file_link_ttl_hours),
                                   clock=services.clock, base_url=settings.web_base_url)
        web = WebRoutes(services)
        if settings.web_base_url is not None:
            # Listening before the platforms are told where to deliver.
            server = WebServer(web)
            await server.start(settings.web_host, settings.web_port)
            stack.push_async_callback(server.stop)
        if settings.sandbox_mode:
            await _run_sandbox(stack, services, web)
        else:
            await _run_channels(stack, services, web)
        # Jobs and the outbox sender run whichever channels are up (Zalo-only included).
        await stack.enter_async_context(scheduling(services))
        if ready is not None:
            ready.set()
        await stop.wait()


def telegram_webhook(web: WebRoutes, base_url: str, secret: str) -> Webhook:
    """Where Telegram is to deliver; the channel routes deliveries to its intake while it runs."""

    def attach(intake: Intake) -> None:
        web.telegram = TelegramReceiver(intake, secret, web.services.metrics)

    async def detach() -> None:
        web.telegram = None  # later deliveries: 404, and Telegram keeps them for the next start

    return Webhook(base_url + TELEGRAM_PATH, secret, attach, detach)


def zalo_webhook(web: WebRoutes, base_url: str, secret: str) -> ZaloWebhook:
    """Where Zalo is to deliver; the channel routes deliveries to itself while it runs."""

    def attach(handle: UpdateHandler) -> None:
        web.zalo = ZaloReceiver(handle, secret, web.services.metrics)

    async def detach() -> None:
        receiver, web.zalo = web.zalo, None
        if receiver is not None:
            await receiver.finish()

    return ZaloWebhook(base_url + ZALO_PATH, secret, attach, detach)


def _zalo_webhook(services: Services, web: WebRoutes) -> ZaloWebhook | None:
    settings = services.settings
    if settings.web_base_url is None or settings.zalo_webhook_secret is None:
        return None
    return zalo_webhook(web, settings.web_base_url, settings.zalo_webhook_secret)


async def _start_telegram(stack: AsyncExitStack, services: Services, web: WebRoutes, *,
                          token: str, base_url: str, base_file_url: str) -> None:
    settings = services.settings
    telegram = build_telegram(services, token=token, base_url=base_url,
                              base_file_url=base_file_url)
    hook = None
    if settings.web_base_url is not None and settings.telegram_webhook_secret is not None:
        hook = telegram_webhook(web, settings.web_base_url, settings.telegram_webhook_secret)
    await stack.enter_async_context(running(telegram, services, webhook=hook))


async def _run_channels(stack: AsyncExitStack, services: Services, web: WebRoutes) -> None:
    settings = services.settings
    if settings.telegram_bot_token is not None:
        base_url = settings.telegram_api_base_url
        await _start_telegram(stack, services, web, token=settings.telegram_bot_token,
                              base_url=base_url, base_file_url=file_base_url(base_url))
    if settings.zalo_bot_token is not None:
        await stack.enter_async_context(running_zalo(
            services, token=settings.zalo_bot_token, base_url=settings.zalo_api_base_url,
            files=services.links, webhook=_zalo_webhook(services, web)))


async def _run_sandbox(stack: AsyncExitStack, services: Services, web: WebRoutes) -> None:
    """The demo: the sandbox, the demo province, and both channels talking to the sandbox."""
    from bot.app.demo import prepare_demo
    from bot.sandbox.server import SandboxServer

    settings = services.settings
    people = await prepare_demo(services)
    sandbox = SandboxServer(people=people.provider)
    own_server = settings.web_base_url is not None
    if not own_server:
        sandbox.serve_too(web.routes())  # file links, /healthz, /metrics on the demo's address
    await sandbox.start(settings.sandbox_host, settings.sandbox_port)
    stack.push_async_callback(sandbox.stop)
    if services.links is not None and not own_server:
        services.links.base_url = sandbox.url
    people.introduce_to(sandbox)
    await _start_telegram(stack, services, web, token=SANDBOX_TOKEN,
                          base_url=sandbox.bot_api_base_url,
                          base_file_url=sandbox.file_base_url)
    await stack.enter_async_context(running_zalo(
        services, token=SANDBOX_ZALO_TOKEN, base_url=sandbox.zalo_api_base_url,
        files=services.links, webhook=_zalo_webhook(services, web)))
    health = f"{settings.web_base_url if own_server else sandbox.url}/healthz"
    print(f"\n  Sandbox chat: {sandbox.url}/\n  Health: {health}\n  (Ctrl+C to stop)\n",
          flush=True)
