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
from dataclasses import dataclass

from bot.app.heap import start_up_settled
from bot.app.intake import Intake
from bot.app.jobs import Scheduling, scheduling
from bot.app.preconditions import StartupBlocked, blockers
from bot.app.run_lock import run_lock
from bot.app.services import DEFAULT_BOT_USERNAME, Services, file_links, make_services, utc_now
from bot.app.telegram import TelegramChannel, Webhook, build_telegram, running, started
from bot.app.web.server import WebRoutes, WebServer
from bot.app.web.webhooks import TELEGRAM_PATH, ZALO_PATH, TelegramReceiver, ZaloReceiver
from bot.app.zalo_poller import UpdateHandler, ZaloBot, ZaloWebhook, build_zalo, running_zalo
from bot.config import Settings
from bot.core.chat import ChannelPort
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
        web = WebRoutes()
        if settings.sandbox_mode:
            channels = await _sandbox_channels(stack, settings, db, web)
        else:
            channels = _channels(stack, settings, db)
        # The wiring goes one way: the channels (their ports, the bot's name) and the file
        # links first, then the services, then what runs on them.
        username = DEFAULT_BOT_USERNAME
        if channels.telegram is not None:
            username = await stack.enter_async_context(started(channels.telegram))
        services = make_services(settings, db, channels=channels.ports(),
                                 bot_username=username, jobs=Scheduling(),
                                 links=channels.links)
        services.t.warm_up()
        web.serve(services)
        if settings.web_base_url is not None:
            # Listening before the platforms are told where to deliver.
            server = WebServer(web)
            await server.start(settings.web_host, settings.web_port)
            stack.push_async_callback(server.stop)
        stack.enter_context(start_up_settled())
        await _receive(stack, services, web, channels)
        if channels.sandbox_url is not None:
            health = f"{settings.web_base_url or channels.sandbox_url}/healthz"
            print(f"\n  Sandbox chat: {channels.sandbox_url}/\n  Health: {health}\n"
                  f"  Dashboard: {settings.web_base_url or channels.sandbox_url}/web/"
                  " (send /web in the chat as a coordinator for a login link)\n"
                  "  (Ctrl+C to stop)\n", flush=True)
        # Jobs and the outbox sender run whichever channels are up (Zalo-only included).
        await stack.enter_async_context(scheduling(services))
        if ready is not None:
            ready.set()
        await stop.wait()


@dataclass(frozen=True)
class Channels:
    """What is built before the services: one bot per configured channel, the file links."""

    links: FileLinks
    telegram: TelegramChannel | None = None
    zalo: ZaloBot | None = None
    #: The demo's chat page, when the channels talk to the sandbox.
    sandbox_url: str | None = None

    def ports(self) -> dict[str, ChannelPort]:
        ports: dict[str, ChannelPort] = {}
        if self.telegram is not None:
            ports["telegram"] = self.telegram.port
        if self.zalo is not None:
            ports["zalo"] = self.zalo.port
        return ports


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


def _zalo(stack: AsyncExitStack, settings: Settings, db: Database, links: FileLinks, *,
          token: str, base_url: str) -> ZaloBot:
    zalo = build_zalo(settings, db, utc_now, token=token, base_url=base_url, files=links)
    stack.push_async_callback(zalo.close)
    return zalo


def _channels(stack: AsyncExitStack, settings: Settings, db: Database) -> Channels:
    links = file_links(settings, db, base_url=settings.web_base_url)
    telegram = zalo = None
    if settings.telegram_bot_token is not None:
        base_url = settings.telegram_api_base_url
        telegram = build_telegram(settings, token=settings.telegram_bot_token,
                                  base_url=base_url, base_file_url=file_base_url(base_url))
    if settings.zalo_bot_token is not None:
        zalo = _zalo(stack, settings, db, links, token=settings.zalo_bot_token,
                     base_url=settings.zalo_api_base_url)
    return Channels(links, telegram, zalo)


async def _sandbox_channels(stack: AsyncExitStack, settings: Settings, db: Database,
                            web: WebRoutes) -> Channels:
    """The demo: the demo province, the sandbox, and both channels talking to the sandbox."""
    from bot.app.demo import prepare_demo
    from bot.sandbox.server import SandboxServer

    # The demo's data goes in before any bot exists: nothing is sent meanwhile.
    people = await prepare_demo(make_services(settings, db))
    sandbox = SandboxServer(people=people.provider)
    own_server = settings.web_base_url is not None
    if not own_server:
        sandbox.serve_too(web.routes())  # file links, /healthz, /metrics on the demo's address
    await sandbox.start(settings.sandbox_host, settings.sandbox_port)
    stack.push_async_callback(sandbox.stop)
    people.introduce_to(sandbox)
    links = file_links(settings, db, base_url=settings.web_base_url if own_server
                       else sandbox.url)
    telegram = build_telegram(settings, token=SANDBOX_TOKEN, base_url=sandbox.bot_api_base_url,
                              base_file_url=sandbox.file_base_url)
    zalo = _zalo(stack, settings, db, links, token=SANDBOX_ZALO_TOKEN,
                 base_url=sandbox.zalo_api_base_url)
    return Channels(links, telegram, zalo, sandbox.url)


async def _receive(stack: AsyncExitStack, services: Services, web: WebRoutes,
                   channels: Channels) -> None:
    """Each channel receiving, by webhook where there is a public address and a secret."""
    settings = services.settings
    base_url = settings.web_base_url
    if channels.telegram is not None:
        secret = settings.telegram_webhook_secret
        hook = telegram_webhook(web, base_url, secret) \
            if base_url is not None and secret is not None else None
        await stack.enter_async_context(running(channels.telegram, services, webhook=hook))
    if channels.zalo is not None:
        secret = settings.zalo_webhook_secret
        zalo_hook = zalo_webhook(web, base_url, secret) \
            if base_url is not None and secret is not None else None
        await stack.enter_async_context(running_zalo(channels.zalo, services,
                                                     webhook=zalo_hook))
