"""The end-to-end world, a pytest plugin (see tests/conftest.py): the real bot
(python-telegram-bot and the shared flows) polling the sandbox over HTTP, on a copy of a
database holding the demo province."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app.demo import PERSONA_IDS, DemoPeople, prepare_demo
from bot.app.jobs import scheduling
from bot.app.services import Services, make_services
from bot.app.telegram import build_telegram_app, running
from bot.config import load_settings
from bot.sandbox import SandboxServer, SandboxUser
from bot.sandbox.testing import DEFAULT_TOKEN
from storage.db import Database
from tests.harness.clock import FakeClock
from tests.harness.outgoing import check_outgoing

ADMIN_FROM_SETTINGS = 7777


@dataclass
class World:
    sandbox: SandboxServer
    services: Services
    clock: FakeClock
    demo: DemoPeople
    bot: AsyncExitStack

    async def restart_bot(self) -> None:
        """Stop the bot and start a new one on the same database (a crash or a deploy)."""
        await self.bot.aclose()
        self.bot = await _start_bot(self.sandbox, self.services)

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


async def _start_bot(sandbox: SandboxServer, services: Services) -> AsyncExitStack:
    stack = AsyncExitStack()
    app = build_telegram_app(services, token=DEFAULT_TOKEN, base_url=sandbox.bot_api_base_url,
                             base_file_url=sandbox.file_base_url)
    await stack.enter_async_context(running(app, services, poll_timeout=10))
    await stack.enter_async_context(scheduling(services))
    return stack


@pytest.fixture
async def world(demo_database: Path, tmp_path: Path, clock: FakeClock,
                request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """Settings may be adjusted per test: ``@pytest.mark.settings(SEND_RATE_PER_SECOND="100")``."""
    db_path = tmp_path / "bot.sqlite3"
    shutil.copy(demo_database, db_path)
    marker = request.node.get_closest_marker("settings")
    settings = load_settings(DATABASE_PATH=str(db_path),
                             ADMIN_TELEGRAM_IDS=str(ADMIN_FROM_SETTINGS),
                             **(marker.kwargs if marker else {}))
    async with SandboxServer() as sandbox, Database(db_path) as db:
        services = make_services(settings, db, clock)
        demo = await prepare_demo(services)
        demo.introduce_to(sandbox)
        world = World(sandbox, services, clock, demo, await _start_bot(sandbox, services))
        try:
            yield world
        finally:
            await world.bot.aclose()
        check_outgoing(sandbox)


@pytest.fixture
async def quiet_world(world: World) -> World:
    """The demo province with none of its sample activity, so a test counts only its own."""
    async with world.services.db.write() as conn:
        await conn.execute("DELETE FROM sessions")
    return world
