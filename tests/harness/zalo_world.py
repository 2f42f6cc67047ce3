"""The Zalo world: the e2e world (real Telegram bot on the sandbox, demo province) plus the Zalo
channel polling the sandbox's Zalo Bot API over HTTP, on the same services and database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import pytest

from bot.app.demo import PERSONA_IDS
from bot.app.jobs import Scheduling
from bot.app.zalo_poller import ZaloChannel, running_zalo
from bot.sandbox.zalo_state import zalo_user_id
from bot.sandbox.zalo_testing import SandboxZaloUser
from tests.harness.web import serving
from tests.harness.world import World

ZALO_TOKEN = "7000000002:zalo-test-token"


@dataclass
class ZaloWorld:
    world: World
    channel: ZaloChannel

    def person(self, key: str) -> SandboxZaloUser:
        """A demo persona on Zalo (linked by the demo under the id derived from Telegram's)."""
        persona = next(p for p in self.world.demo.personas if p.user_id == PERSONA_IDS[key])
        return SandboxZaloUser(self.world.sandbox, zalo_user_id(persona.user_id),
                               persona.first_name)

    def stranger(self, user_id: str, name: str = "Trần Văn Mới") -> SandboxZaloUser:
        return SandboxZaloUser(self.world.sandbox, user_id, name)


def start_zalo(on: World) -> AbstractAsyncContextManager[ZaloChannel]:
    """The Zalo channel on the world's sandbox and services (short polls, quick back-off);
    photos and documents go out as file links of the bot's web server."""
    return running_zalo(on.services, token=ZALO_TOKEN, base_url=on.sandbox.zalo_api_base_url,
                        poll_timeout=1, backoff=0.01, files=on.services.links)


@pytest.fixture
async def zworld(world: World) -> AsyncIterator[ZaloWorld]:
    async with serving(world.services), start_zalo(world) as channel:
        # Start-up catch-up (last week's digests) waited for the Zalo channel: let it out now,
        # so it is history before the test's first message rather than news in its middle.
        assert isinstance(world.services.scheduling, Scheduling)
        await world.services.scheduling.drain_now()
        yield ZaloWorld(world, channel)
