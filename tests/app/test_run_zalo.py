"""``python -m bot run`` without tokens: the demo answers on Zalo as well as on Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path

import aiohttp

from bot.app.demo import PERSONA_IDS
from bot.app.run import run
from bot.config import load_settings
from bot.sandbox.zalo_state import zalo_user_id
from bot.sandbox.zalo_testing import SandboxZaloUser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_sandbox_run_serves_the_demo_personas_on_zalo(tmp_path: Path) -> None:
    port = _free_port()
    settings = load_settings(DATABASE_PATH=str(tmp_path / "demo.sqlite3"),
                             SANDBOX_PORT=str(port), TELEGRAM_BOT_TOKEN="", ZALO_BOT_TOKEN="")
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(run(settings, ready=ready, stop=stop))
    try:
        await asyncio.wait_for(ready.wait(), 60)
        async with aiohttp.ClientSession() as session:
            leader = SandboxZaloUser(f"http://127.0.0.1:{port}",
                                     zalo_user_id(PERSONA_IDS["team_leader"]), "Tổ trưởng",
                                     session=session)
            await leader.send("/me")
            # On the real clock the start-up may catch up a reminder first: wait for the profile.
            profile = await leader.wait_for(lambda m: "Telegram, Zalo" in m.text, 10)
            assert "Telegram, Zalo" in profile.text
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)


async def test_a_zalo_only_deployment_runs_without_telegram(tmp_path: Path) -> None:
    """Telegram is restricted in Vietnam: a Zalo token alone must run the bot (no demo)."""
    from bot.sandbox import SandboxServer

    async with SandboxServer() as platform:  # stands in for Zalo's servers
        settings = load_settings(DATABASE_PATH=str(tmp_path / "zalo.sqlite3"),
                                 TELEGRAM_BOT_TOKEN="", ZALO_BOT_TOKEN="4242:zalo-only-secret",
                                 ZALO_API_BASE_URL=platform.zalo_api_base_url)
        assert not settings.sandbox_mode
        ready, stop = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(run(settings, ready=ready, stop=stop))
        try:
            await asyncio.wait_for(ready.wait(), 60)
            async with aiohttp.ClientSession() as session:
                visitor = SandboxZaloUser(platform.url, "a1b2c3d4e5f60718293a", "Khách",
                                          session=session)
                await visitor.send("/start")
                welcome = await visitor.next_message(timeout=10)
                assert "mã mời" in welcome.text
            assert platform.stats.requests.get("getme", 0) == 0  # Telegram was never called
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 30)
