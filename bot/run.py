"""Running the bot: against Telegram and/or Zalo with tokens, or the local sandbox without."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from contextlib import AsyncExitStack

from bot.app import build_telegram_app, make_services, running
from bot.channels.zalo_poller import running_zalo
from bot.config import Settings
from bot.jobs import scheduling
from handlers.context import Services
from storage.db import Database
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
    async with AsyncExitStack() as stack:
        db = await stack.enter_async_context(Database(settings.database_path))
        await settle_province(db, settings.province_code)  # or ProvinceMismatch: one line
        services = make_services(settings, db)
        if settings.sandbox_mode:
            await _run_sandbox(stack, services)
        else:
            await _run_channels(stack, services)
        # Jobs and the outbox sender run whichever channels are up (Zalo-only included).
        await stack.enter_async_context(scheduling(services))
        if ready is not None:
            ready.set()
        await stop.wait()


async def _run_channels(stack: AsyncExitStack, services: Services) -> None:
    settings = services.settings
    if settings.telegram_bot_token is not None:
        base_url = settings.telegram_api_base_url
        app = build_telegram_app(services, token=settings.telegram_bot_token,
                                 base_url=base_url, base_file_url=file_base_url(base_url))
        await stack.enter_async_context(running(app, services))
    if settings.zalo_bot_token is not None:
        await stack.enter_async_context(running_zalo(
            services, token=settings.zalo_bot_token, base_url=settings.zalo_api_base_url))


async def _run_sandbox(stack: AsyncExitStack, services: Services) -> None:
    """The demo: the sandbox, the demo province, and both channels talking to the sandbox."""
    from bot.demo import prepare_demo
    from bot.sandbox.server import SandboxServer
    from bot.sandbox.zalo_api import photo_host

    settings = services.settings
    people = await prepare_demo(services)
    sandbox = SandboxServer(people=people.provider)
    await sandbox.start(settings.sandbox_host, settings.sandbox_port)
    stack.push_async_callback(sandbox.stop)
    people.introduce_to(sandbox)
    app = build_telegram_app(services, token=SANDBOX_TOKEN, base_url=sandbox.bot_api_base_url,
                             base_file_url=sandbox.file_base_url)
    await stack.enter_async_context(running(app, services))
    await stack.enter_async_context(running_zalo(
        services, token=SANDBOX_ZALO_TOKEN, base_url=sandbox.zalo_api_base_url,
        photo_host=photo_host(sandbox.url)))
    print(f"\n  Sandbox chat: {sandbox.url}/\n  (Ctrl+C to stop)\n", flush=True)
