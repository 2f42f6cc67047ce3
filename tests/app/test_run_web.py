"""``python -m bot run`` with the web server: the demo serves file links, /healthz and /metrics on
its own address; with WEB_BASE_URL both channels receive by webhook."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bot.app.demo import PERSONA_IDS
from bot.app.run import SANDBOX_TOKEN, SANDBOX_ZALO_TOKEN, run
from bot.app.web.webhooks import TELEGRAM_PATH, ZALO_PATH
from bot.config import Settings, load_settings
from bot.sandbox.testing import SandboxUser
from bot.sandbox.zalo_state import zalo_user_id
from bot.sandbox.zalo_testing import SandboxZaloUser
from tests.harness.hooked import TELEGRAM_SECRET, ZALO_SECRET


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def _running(settings: Settings) -> AsyncIterator[aiohttp.ClientSession]:
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(run(settings, ready=ready, stop=stop))
    try:
        await asyncio.wait_for(ready.wait(), 60)
        async with aiohttp.ClientSession() as session:
            yield session
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)


def _database(source: Path, tmp_path: Path) -> str:
    path = tmp_path / "demo.sqlite3"
    shutil.copy(source, path)
    return str(path)


async def _post(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.post(url, json={}) as response:
        return (await response.json())["result"]


async def test_the_demo_serves_file_links_and_health_on_its_own_address(
        demo_database: Path, tmp_path: Path) -> None:
    port = _free_port()
    sandbox = f"http://127.0.0.1:{port}"
    settings = load_settings(DATABASE_PATH=_database(demo_database, tmp_path),
                             SANDBOX_PORT=str(port), TELEGRAM_BOT_TOKEN="", ZALO_BOT_TOKEN="",
                             WEB_BASE_URL="")
    async with _running(settings) as session:
        async with session.get(f"{sandbox}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["scheduler"] is True
        async with session.get(f"{sandbox}/metrics") as response:
            assert "tocns_updates_handled" in await response.text()
        coordinator = SandboxZaloUser(sandbox, zalo_user_id(PERSONA_IDS["commune_coordinator"]),
                                      "Điều phối", session=session)
        await coordinator.send("/export csv tháng này")
        message = await coordinator.wait_for(lambda m: "📎" in m.text, timeout=30)
        link = re.search(r"https?://\S+", message.text)
        assert link is not None
        assert link[0].startswith(f"{sandbox}/f/")
        async with session.get(link[0]) as response:
            assert response.status == 200
            assert "text/csv" in response.headers["Content-Type"]
    assert any((tmp_path / "files").iterdir())  # next to the database


async def test_with_a_web_address_both_channels_receive_by_webhook(
        demo_database: Path, tmp_path: Path) -> None:
    port, web_port = _free_port(), _free_port()
    sandbox = f"http://127.0.0.1:{port}"
    public = f"http://127.0.0.1:{web_port}"
    settings = load_settings(DATABASE_PATH=_database(demo_database, tmp_path),
                             SANDBOX_PORT=str(port), TELEGRAM_BOT_TOKEN="", ZALO_BOT_TOKEN="",
                             WEB_BASE_URL=public, WEB_PORT=str(web_port),
                             TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
                             ZALO_WEBHOOK_SECRET=ZALO_SECRET)
    async with _running(settings) as session:
        telegram = await _post(session, f"{sandbox}/bot{SANDBOX_TOKEN}/getWebhookInfo")
        assert telegram["url"] == public + TELEGRAM_PATH
        zalo = await _post(session, f"{sandbox}/zalo/bot{SANDBOX_ZALO_TOKEN}/getWebhookInfo")
        assert zalo["url"] == public + ZALO_PATH
        member = SandboxUser(sandbox, PERSONA_IDS["member_1"], "Mai", session=session)
        await member.send("/me")
        # On the real clock the start-up may catch up a reminder first: wait for the profile.
        assert "Nguyễn Thị Mai" in (await member.wait_for(
            lambda m: "Nguyễn Thị Mai" in m.text, 10)).text
        leader = SandboxZaloUser(sandbox, zalo_user_id(PERSONA_IDS["team_leader"]), "Tổ trưởng",
                                 session=session)
        await leader.send("/me")
        assert "Telegram, Zalo" in (await leader.wait_for(
            lambda m: "Telegram, Zalo" in m.text, 10)).text
        async with session.get(f"{public}/healthz") as response:
            health = await response.json()
        assert response.status == 200
        assert set(health["last_update"]) == {"telegram", "zalo"}
        async with session.post(f"{public}{TELEGRAM_PATH}", json={"update_id": 1}) as response:
            assert response.status == 403
