"""The end-to-end world of tests/e2e (the real bot polling the sandbox on the demo province)."""

from __future__ import annotations

import pytest

from tests.harness.world import World


@pytest.fixture
async def quiet_world(world: World) -> World:
    """The demo province with none of its sample activity, so a test counts only its own."""
    async with world.services.db.write() as conn:
        await conn.execute("DELETE FROM sessions")
    return world
