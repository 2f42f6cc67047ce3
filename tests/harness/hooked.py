"""The bot as deployed behind a public address: its web server on a loopback port, Telegram and
Zalo delivering updates to its webhooks (the sandbox POSTs them, as the platforms do), file
links for Zalo, the scheduler — on a copy of the demo province. A pytest plugin (see
tests/conftest.py): ask for the ``hooked`` fixture."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app.demo import PERSONA_IDS, DemoPeople, prepare_demo
from bot.app.jobs import Scheduling, drain_now, scheduling
from bot.app.run import telegram_webhook, zalo_webhook
from bot.app.services import file_links, make_services
from bot.app.telegram import build_telegram, running, started
from bot.app.web.server import WebServer
from bot.app.zalo_poller import ZaloChannel, build_zalo, running_zalo
from bot.config import load_settings
from bot.sandbox import SandboxServer, SandboxUser
from bot.sandbox.testing import DEFAULT_TOKEN
from bot.sandbox.zalo_state import zalo_user_id
from bot.sandbox.zalo_testing import SandboxZaloUser
from handlers.kit.context import Services
from storage.db import Database
from tests.harness.clock import FakeClock
from tests.harness.web import serving
from tests.harness.world import ADMIN_FROM_SETTINGS

TELEGRAM_SECRET = "telegram-secret-for-the-tests_0123456789"
ZALO_SECRET = "zalo-secret-for-the-tests_9876543210"
ZALO_TOKEN = "7000000002:zalo-test-token"


@dataclass
class HookedWorld:
    sandbox: SandboxServer
    services: Services
    clock: FakeClock
    demo: DemoPeople
    server: WebServer
    zalo: ZaloChannel
    jobs: Scheduling

    @property
    def url(self) -> str:
        return self.server.url

    def person(self, key: str) -> SandboxUser:
        persona = next(p for p in self.demo.personas if p.user_id == PERSONA_IDS[key])
        return SandboxUser(self.sandbox, persona.user_id, persona.first_name, persona.language_code)

    def zalo_person(self, key: str) -> SandboxZaloUser:
        persona = next(p for p in self.demo.personas if p.user_id == PERSONA_IDS[key])
        return SandboxZaloUser(self.sandbox, zalo_user_id(persona.user_id), persona.first_name)

    async def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        """GET from the bot's web server (or a full URL): status, body, headers."""
        url = path if path.startswith("http") else self.url + path
        async with self.sandbox.client_session.get(url) as response:
            return response.status, await response.read(), dict(response.headers)

    async def post(self, path: str, body: Any, headers: dict[str, str] | None = None
                   ) -> int:
        async with self.sandbox.client_session.post(self.url + path, json=body,
                                                    headers=headers or {}) as response:
            await response.read()
            return response.status


@pytest.fixture
async def hooked(demo_database: Path, tmp_path: Path,
                 clock: FakeClock, request: pytest.FixtureRequest) -> AsyncIterator[HookedWorld]:
    db_path = tmp_path / "bot.sqlite3"
    shutil.copy(demo_database, db_path)
    marker = request.node.get_closest_marker("settings")
    settings = load_settings(DATABASE_PATH=str(db_path),
                             ADMIN_TELEGRAM_IDS=str(ADMIN_FROM_SETTINGS),
                             BACKUP_DIR=str(tmp_path / "backups"),
                             **(marker.kwargs if marker else {}))
    async with SandboxServer() as sandbox, Database(db_path) as db, AsyncExitStack() as stack:
        demo = await prepare_demo(make_services(settings, db, clock))
        demo.introduce_to(sandbox)
        # As the product wires it: the channels first, then the services, then what runs.
        telegram = build_telegram(settings, token=DEFAULT_TOKEN,
                                  base_url=sandbox.bot_api_base_url,
                                  base_file_url=sandbox.file_base_url)
        username = await stack.enter_async_context(started(telegram))
        links = file_links(settings, db, clock)
        zalo_bot = build_zalo(settings, db, clock, token=ZALO_TOKEN,
                              base_url=sandbox.zalo_api_base_url, files=links)
        stack.push_async_callback(zalo_bot.close)
        services = make_services(settings, db, clock, bot_username=username,
                                 channels={"telegram": telegram.port, "zalo": zalo_bot.port},
                                 jobs=Scheduling(), links=links)
        server = await stack.enter_async_context(serving(services))
        hook = telegram_webhook(server.web, server.url, TELEGRAM_SECRET)
        await stack.enter_async_context(running(telegram, services, webhook=hook))
        zalo = await stack.enter_async_context(running_zalo(
            zalo_bot, services, webhook=zalo_webhook(server.web, server.url, ZALO_SECRET)))
        jobs = await stack.enter_async_context(scheduling(services))
        # Last week's digests (the start-up catch-up) go out now, before the test begins.
        await drain_now(services)
        yield HookedWorld(sandbox, services, clock, demo, server, zalo, jobs)


async def read_json(session: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with session.get(url) as response:
        return response.status, await response.json()
