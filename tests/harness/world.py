"""The end-to-end world, a pytest plugin (see tests/conftest.py): the real bot
(python-telegram-bot and the shared flows) polling the sandbox over HTTP, on a copy of a
database holding the demo province."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app.demo import PERSONA_IDS, DemoPeople, prepare_demo
from bot.app.jobs import Scheduling, scheduling
from bot.app.services import Services, file_links, make_services
from bot.app.telegram import TelegramChannel, build_telegram, running, started
from bot.app.zalo_poller import ZaloBot, build_zalo
from bot.config import Settings, load_settings
from bot.core.chat import ChannelPort
from bot.sandbox import SandboxServer, SandboxUser
from bot.sandbox.testing import DEFAULT_TOKEN
from storage.db import Database
from tests.harness.clock import FakeClock
from tests.harness.outgoing import check_outgoing
from tests.harness.web import serving

ADMIN_FROM_SETTINGS = 7777
ZALO_TOKEN = "7000000002:zalo-test-token"


@dataclass
class World:
    sandbox: SandboxServer
    services: Services
    clock: FakeClock
    demo: DemoPeople
    bot: AsyncExitStack
    telegram: TelegramChannel
    #: Built when the world runs Zalo too (see ``tests.harness.zalo_world``).
    zalo: ZaloBot | None = None

    async def restart_bot(self) -> None:
        """Stop the bot and start a new one on the same database (a crash or a deploy)."""
        await self.bot.aclose()
        self.bot = await _start_bot(self.telegram, self.services)

    def person(self, key: str) -> SandboxUser:
        """One of the demo's notable people, already linked (see bot.app.demo.PERSONA_IDS)."""
        persona = next(p for p in self.demo.personas if p.user_id == PERSONA_IDS[key])
        return SandboxUser(self.sandbox, persona.user_id, persona.first_name, persona.language_code)

    def stranger(self, user_id: int, name: str = "Trần Văn Mới") -> SandboxUser:
        return SandboxUser(self.sandbox, user_id, name, "vi")


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo province imported once per test run; each test gets its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"

    async def build() -> None:
        async with Database(path) as db:
            settings = load_settings(DATABASE_PATH=str(path))
            await prepare_demo(make_services(settings, db))

    asyncio.run(build())
    return path


async def _start_bot(telegram: TelegramChannel, services: Services) -> AsyncExitStack:
    """Telegram polling and the jobs: what a restart stops and starts again."""
    stack = AsyncExitStack()
    await stack.enter_async_context(running(telegram, services, poll_timeout=10))
    await stack.enter_async_context(scheduling(services))
    return stack


@asynccontextmanager
async def world_on(sandbox: SandboxServer, settings: Settings, db: Database, clock: FakeClock,
                   demo: DemoPeople, *, zalo: bool = False) -> AsyncIterator[World]:
    """The bot running on ``sandbox`` as the product wires it: its channels built first (with
    Zalo: polling the sandbox's Zalo Bot API, photos and documents as file links of the bot's
    web server), then the services, then Telegram polling and the jobs."""
    demo.introduce_to(sandbox)
    async with AsyncExitStack() as stack:
        telegram = build_telegram(settings, token=DEFAULT_TOKEN,
                                  base_url=sandbox.bot_api_base_url,
                                  base_file_url=sandbox.file_base_url)
        username = await stack.enter_async_context(started(telegram))
        links = file_links(settings, db, clock)
        ports: dict[str, ChannelPort] = {"telegram": telegram.port}
        zalo_bot = None
        if zalo:
            zalo_bot = build_zalo(settings, db, clock, token=ZALO_TOKEN,
                                  base_url=sandbox.zalo_api_base_url, files=links, backoff=0.01)
            stack.push_async_callback(zalo_bot.close)
            ports["zalo"] = zalo_bot.port
        services = make_services(settings, db, clock, channels=ports, bot_username=username,
                                 jobs=Scheduling(), links=links)
        if zalo_bot is not None:
            await stack.enter_async_context(serving(services))
        world = World(sandbox, services, clock, demo, AsyncExitStack(), telegram, zalo_bot)
        try:
            world.bot = await _start_bot(telegram, services)
            yield world
        finally:
            await world.bot.aclose()


@asynccontextmanager
async def demo_world(demo_database: Path, tmp_path: Path, clock: FakeClock,
                     request: pytest.FixtureRequest, *, zalo: bool = False
                     ) -> AsyncIterator[World]:
    """A copy of the demo province and the bot on a new sandbox; settings may be adjusted per
    test: ``@pytest.mark.settings(SEND_RATE_PER_SECOND="100")``."""
    db_path = tmp_path / "bot.sqlite3"
    shutil.copy(demo_database, db_path)
    marker = request.node.get_closest_marker("settings")
    settings = load_settings(DATABASE_PATH=str(db_path),
                             ADMIN_TELEGRAM_IDS=str(ADMIN_FROM_SETTINGS),
                             **(marker.kwargs if marker else {}))
    async with SandboxServer() as sandbox, Database(db_path) as db:
        demo = await prepare_demo(make_services(settings, db, clock))
        async with world_on(sandbox, settings, db, clock, demo, zalo=zalo) as world:
            yield world
        check_outgoing(sandbox)


@pytest.fixture
async def world(demo_database: Path, tmp_path: Path, clock: FakeClock,
                request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """The bot on Telegram (see :func:`demo_world`)."""
    async with demo_world(demo_database, tmp_path, clock, request) as running_world:
        yield running_world


@pytest.fixture
async def quiet_world(world: World) -> World:
    """The demo province with none of its sample activity, so a test counts only its own."""
    async with world.services.db.write() as conn:
        await conn.execute("DELETE FROM sessions")
    return world
