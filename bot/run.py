"""Running the bot: against Telegram with a token, or against the local sandbox without one."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AsyncExitStack, suppress

from bot.app import build_telegram_app, make_services, running
from bot.channels.zalo_poller import running_zalo
from bot.config import Settings
from storage.db import Database

log = logging.getLogger(__name__)

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
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Signal handlers only work in the main thread; tests run us elsewhere and use ``stop``.
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        db = await stack.enter_async_context(Database(settings.database_path))
        services = make_services(settings, db)
        if settings.sandbox_mode:
            from bot.demo import prepare_demo
            from bot.sandbox.server import SandboxServer
            from bot.sandbox.zalo_api import photo_host

            people = await prepare_demo(services)
            sandbox = SandboxServer(people=people.provider)
            await sandbox.start(settings.sandbox_host, settings.sandbox_port)
            people.introduce_to(sandbox)
            stack.push_async_callback(sandbox.stop)
            token, base_url, files_url = (SANDBOX_TOKEN, sandbox.bot_api_base_url,
                                          sandbox.file_base_url)
        else:
            assert settings.telegram_bot_token is not None
            token, base_url = settings.telegram_bot_token, settings.telegram_api_base_url
            files_url = file_base_url(base_url)
        app = build_telegram_app(services, token=token, base_url=base_url,
                                 base_file_url=files_url)
        async with running(app, services):
            if settings.sandbox_mode:
                # The demo always shows both channels, on the sandbox: its people are made up,
                # so a real Zalo token is not used with them.
                if settings.zalo_bot_token is not None:
                    log.warning("ZALO_BOT_TOKEN is ignored without TELEGRAM_BOT_TOKEN: "
                                "the demo runs Zalo on the sandbox")
                await stack.enter_async_context(running_zalo(
                    services, token=SANDBOX_ZALO_TOKEN, base_url=sandbox.zalo_api_base_url,
                    photo_host=photo_host(sandbox.url)))
            elif settings.zalo_bot_token is not None:
                await stack.enter_async_context(running_zalo(
                    services, token=settings.zalo_bot_token,
                    base_url=settings.zalo_api_base_url))
            if settings.sandbox_mode:
                print(f"\n  Sandbox chat: {sandbox.url}/\n  (Ctrl+C to stop)\n", flush=True)
            if ready is not None:
                ready.set()
            await stop.wait()
