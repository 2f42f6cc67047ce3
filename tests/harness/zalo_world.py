"""The Zalo world: the e2e world (real Telegram bot on the sandbox, demo province) with the Zalo
channel polling the sandbox's Zalo Bot API over HTTP too, on the same services and database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app.demo import PERSONA_IDS
from bot.app.jobs import drain_now
from bot.app.zalo_poller import ZaloChannel, running_zalo
from bot.sandbox.zalo_state import zalo_user_id
from bot.sandbox.zalo_testing import SandboxZaloUser
from tests.harness.clock import FakeClock
from tests.harness.world import ZALO_TOKEN, World, demo_world

__all__ = ["ZALO_TOKEN", "ZaloWorld", "start_zalo"]


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
    """The world's Zalo bot receiving (short polls, quick back-off): the world's own channel,
    or another one beside it on the same port (as after a restart)."""
    assert on.zalo is not None, "a world built with zalo=True"
    return running_zalo(on.zalo, on.services, poll_timeout=1)


@pytest.fixture
async def zworld(demo_database: Path, tmp_path: Path, clock: FakeClock,
                 request: pytest.FixtureRequest) -> AsyncIterator[ZaloWorld]:
    async with demo_world(demo_database, tmp_path, clock, request, zalo=True) as world, \
            start_zalo(world) as channel:
        # The start-up catch-up (last week's digests) went out with the jobs: whatever is left
        # goes now, so it is history before the test's first message rather than news in it.
        await drain_now(world.services)
        yield ZaloWorld(world, channel)
