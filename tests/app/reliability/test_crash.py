"""The bot killed with SIGKILL in the middle of a burst and restarted, as a real process.

Every member sends a quick-form session and presses Save, as fast as answers come; the bot is
killed while that is going on, then started again. What a member saw confirmed is stored
exactly once, and every message a member sent gets its answer — nothing received is lost,
whatever was acknowledged to the Bot API before the kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sandbox import SandboxServer, SandboxUser
from storage.db import Database
from storage.repos import Repos
from tests.app.reliability.bot_process import BotProcess

pytestmark = pytest.mark.long

FIRST_USER_ID = 500_000


async def link_members(path: Path, count: int) -> None:
    async with Database(path) as db, db.write() as conn:
        await conn.execute("DELETE FROM sessions")  # the demo's sample weeks: count only ours
        rows = await conn.execute_fetchall(
            "SELECT id FROM members m WHERE team_id IS NOT NULL AND active = 1 AND NOT EXISTS"
            " (SELECT 1 FROM identities i WHERE i.member_id = m.id) ORDER BY id LIMIT ?",
            (count,))
        for offset, row in enumerate(rows):
            uid = str(FIRST_USER_ID + offset)
            await Repos(conn).access.link(channel="telegram", external_id=uid, chat_id=uid,
                                          member_id=row[0], now=datetime.now(UTC))


def saved(message_text: str) -> bool:
    return "Đã lưu" in message_text or "đã được lưu" in message_text


class Confirmations:
    def __init__(self, wanted: int) -> None:
        self.members: list[int] = []
        self.wanted = wanted
        self.enough = asyncio.Event()

    def add(self, index: int) -> None:
        self.members.append(index)
        if len(self.members) >= self.wanted:
            self.enough.set()


async def one_member(user: SandboxUser, confirmed: Confirmations, index: int) -> None:
    await user.send(f"{index % 7 + 1} chu ky so")
    await user.wait_for(lambda m: "Lưu" in str(m.buttons), timeout=90)
    await user.press("✅ Lưu")
    await user.wait_for(lambda m: saved(m.text), timeout=90)
    confirmed.add(index)


@pytest.mark.parametrize("kill_after", [0.25, 0.6])
async def test_killed_mid_burst_loses_and_doubles_nothing(
        demo_database: Path, tmp_path: Path, kill_after: float) -> None:
    members = 60
    db_path = tmp_path / "bot.sqlite3"
    shutil.copy(demo_database, db_path)
    await link_members(db_path, members)
    async with SandboxServer() as sandbox:
        bot = BotProcess(sandbox, db_path, tmp_path / "bot.log")
        await bot.start()
        confirmed = Confirmations(int(members * kill_after))
        users = [SandboxUser(sandbox, FIRST_USER_ID + i, f"Thành viên {i}") for i in range(members)]
        burst = asyncio.gather(*(one_member(u, confirmed, i) for i, u in enumerate(users)))
        # Kill once a share of the members have their confirmation: mid-burst, with updates
        # fetched, stored, being handled and being answered at that moment.
        for _ in range(120):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(confirmed.enough.wait(), 1)
                break
            bot.check_alive()
        await bot.kill()
        at_kill = len(confirmed.members)
        await bot.start()
        try:
            await asyncio.wait_for(burst, 150)
        finally:
            bot.check_alive()
            await bot.stop()
    assert at_kill < members, "the kill came after the burst: nothing was tested"
    assert sorted(confirmed.members) == list(range(members))  # every message answered
    async with Database(db_path) as db:
        rows = await db.reader.execute_fetchall(
            "SELECT i.external_id, COUNT(*), SUM(s.citizens) FROM sessions s"
            " JOIN identities i ON i.member_id = s.member_id AND i.channel = 'telegram'"
            " GROUP BY i.external_id")
        per_member = {int(r[0]) - FIRST_USER_ID: (r[1], r[2]) for r in rows}
    assert per_member == {i: (1, i % 7 + 1) for i in range(members)}  # each once, as typed
