"""Network faults on every Bot API call the bot makes: 5xx answers and dropped connections.

Each failure is retried where that cannot send anything twice (see
``bot.channels.telegram.with_retries``): every session is stored once and every message and
press gets its answer, without waiting for minutes.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from bot.sandbox import FaultConfig, SandboxUser
from storage.repos import Repos
from tests.harness.world import World

FIRST_USER_ID = 600_000


async def link_members(world: World, count: int) -> None:
    async with world.services.db.write() as conn:
        await conn.execute("DELETE FROM sessions")
        rows = await conn.execute_fetchall(
            "SELECT id FROM members m WHERE team_id IS NOT NULL AND active = 1 AND NOT EXISTS"
            " (SELECT 1 FROM identities i WHERE i.member_id = m.id) ORDER BY id LIMIT ?",
            (count,))
        for offset, row in enumerate(rows):
            uid = str(FIRST_USER_ID + offset)
            await Repos(conn).access.link(channel="telegram", external_id=uid, chat_id=uid,
                                          member_id=row[0], now=datetime.now(UTC))


async def logs_sessions(user: SandboxUser, sessions: int, waits: list[float]) -> None:
    for n in range(1, sessions + 1):
        started = time.monotonic()
        await user.send(f"{n} chu ky so")
        await user.wait_for(lambda m: "Lưu" in str(m.buttons), timeout=60)
        await user.press("✅ Lưu")
        await user.wait_for(lambda m: "Đã lưu" in m.text, timeout=60)
        waits.append(time.monotonic() - started)


async def test_server_errors_and_dropped_connections_lose_and_double_nothing(
        world: World) -> None:
    members, sessions = 20, 3
    await link_members(world, members)
    world.sandbox.faults = FaultConfig(seed=11, error_rate=0.12, drop_rate=0.04)
    users = [SandboxUser(world.sandbox, FIRST_USER_ID + i, f"Thành viên {i}")
             for i in range(members)]
    waits: list[float] = []
    await asyncio.gather(*(logs_sessions(u, sessions, waits) for u in users))
    faults = world.sandbox.stats.faults
    assert faults["error_500"] + faults["error_502"] + faults["drop"] >= 10, faults
    assert len(waits) == members * sessions          # every message and press answered
    assert max(waits) < 30                           # seconds of retries, not minutes
    rows = await world.services.db.reader.execute_fetchall(
        "SELECT member_id, COUNT(*), SUM(citizens) FROM sessions GROUP BY member_id")
    assert len(rows) == members
    assert {(r[1], r[2]) for r in rows} == {(sessions, sum(range(1, sessions + 1)))}
